import { z } from 'zod';
import { ArgumentSchema, JudgmentSchema, defineAgent, defineTeam, defineTool } from '../src/team/index.js';
import type { MessagesScript, ScriptedReply } from '../src/activities/index.js';

// Troupe's side of each case, answered by the offline provider with zero latency unless a case says otherwise.
const text = (name: string) => defineAgent({ name, role: 'worker', system: `You are ${name}.`, output: 'text' });

/** A pipeline of `steps` agents. */
export const pipelineOf = (steps: number, check = false) =>
  defineTeam({
    name: `pipeline-${steps}${check ? '-checked' : ''}`,
    agents: Array.from({ length: steps }, (_, i) => text(`step${i}`)),
    ...(check ? { checks: { ok: () => ({ approved: true, feedback: 'fine' }) } } : {}),
    topology: {
      kind: 'pipeline',
      steps: Array.from({ length: steps }, (_, i) => ({
        agent: `step${i}`,
        ...(check ? { gate: { kind: 'check' as const, check: 'ok' } } : {}),
      })),
    },
  });

/** `members` agents in one parallel step. */
export const fanOutOf = (members: number) =>
  defineTeam({
    name: `fan-out-${members}`,
    agents: Array.from({ length: members }, (_, i) => text(`m${i}`)),
    topology: {
      kind: 'pipeline',
      steps: [{ parallel: { members: Array.from({ length: members }, (_, i) => `m${i}`), mode: 'sections' } }],
    },
  });

const debater = (name: string) =>
  defineAgent({ name, role: 'debater', system: `Argue as ${name}.`, output: ArgumentSchema });
/** Case 3's debate: three debaters, two rounds, a judge (7 calls). */
const debateNamed = (name: string) =>
  defineTeam({
    name,
    agents: [
      debater('d1'),
      debater('d2'),
      debater('d3'),
      defineAgent({ name: 'judge', role: 'judge', system: 'Judge.', output: JudgmentSchema }),
    ],
    topology: {
      kind: 'debate',
      debaters: ['d1', 'd2', 'd3'],
      rounds: 2,
      decide: { by: 'judge', agent: 'judge' },
      stopOnConsensus: false,
    },
  });
export const debate = debateNamed('bench-debate');
/**
 * Case 3p's debates, whose answers take the model time to write: the same debate twice, under two
 * names, so the script can pace each as its side needs (streamed token by token, or whole after the same time).
 */
export const pacedDebate = debateNamed('bench-debate-paced');
export const pacedPlainDebate = debateNamed('bench-debate-paced-plain');

/** One agent with a no-op tool, asked to call it `calls` times, one call per model turn. */
const noop = defineTool({
  name: 'noop',
  description: 'Does nothing.',
  input: z.object({ n: z.number() }),
  run: ({ n }) => `noop ${n}`,
});
export const toolLoopOf = (calls: number) =>
  defineTeam({
    name: `tool-loop-${calls}`,
    agents: [
      defineAgent({
        name: `looper${calls}`,
        role: 'worker',
        system: 'Call noop.',
        output: 'text',
        tools: [noop],
        maxTurns: calls + 1,
      }),
    ],
    topology: { kind: 'pipeline', steps: [{ agent: `looper${calls}` }] },
  });

/** `count` words, each its own (`prefix` and its number): the double streams one a delta, so each can be timed. */
export const wordsOf = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`).join(' ');

/**
 * How many deltas the double streams `text` in: about a word each, long words in slices of 16 characters
 * (as the double's own splitting, src/activities/providers/scripted-messages.ts, does it).
 */
export function deltasIn(text: string): number {
  return text
    .split(/(?<=\s)(?=\S)/)
    .filter((word) => word !== '')
    .reduce((n, word) => n + Math.ceil(Array.from(word).length / 16), 0);
}

/** Case 3p's answers: a debater's argument and the judge's rationale of about 50 words, as a short real answer. */
const PACED_ANSWERS = {
  d1: { position: 'yes', argument: wordsOf('because', 48) },
  d2: { position: 'no', argument: wordsOf('not', 48) },
  d3: { position: 'yes', argument: wordsOf('indeed', 48) },
  judge: { decision: 'yes', rationale: wordsOf('reason', 48) },
};

/**
 * Case 3p's replies: streamed ones write a delta every `tokenDelayMs`; plain ones (streaming off) answer
 * whole after as long as the streamed one takes, so both sides wait for the model alike.
 */
function pacedScript(tokenDelayMs: number): MessagesScript {
  return Object.fromEntries(
    Object.entries(PACED_ANSWERS).flatMap(([agent, json]): [string, ScriptedReply[]][] => [
      [`bench-debate-paced/${agent}`, [{ json, tokenDelayMs }]],
      [`bench-debate-paced-plain/${agent}`, [{ json, delayMs: deltasIn(JSON.stringify(json)) * tokenDelayMs }]],
    ]),
  );
}

export function script(fanOutDelayMs: number, toolCalls: number[], pacedTokenDelayMs = 20): MessagesScript {
  return {
    ...pacedScript(pacedTokenDelayMs),
    ...Object.fromEntries(
      toolCalls.map((calls) => [
        `looper${calls}`,
        [...Array.from({ length: calls }, (_, n) => ({ toolUse: [{ name: 'noop', input: { n } }] })), { text: 'done' }],
      ]),
    ),
    ...Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`m${i}`, [{ text: `section ${i}`, delayMs: fanOutDelayMs }]]),
    ),
    d1: [{ json: { position: 'yes', argument: 'because' } }],
    d2: [{ json: { position: 'no', argument: 'because not' } }],
    d3: [{ json: { position: 'yes', argument: 'indeed' } }],
    judge: [{ json: { decision: 'yes', rationale: 'two to one' } }],
    '*': [{ text: 'done' }],
  };
}

/** A pipeline of `calls` agents (w1, w2, ...), each answering with text: the streaming cases' runs. */
export const writersOf = (name: string, calls: number) =>
  defineTeam({
    name,
    agents: Array.from({ length: calls }, (_, i) => text(`w${i + 1}`)),
    topology: { kind: 'pipeline', steps: Array.from({ length: calls }, (_, i) => ({ agent: `w${i + 1}` })) },
  });

/**
 * The streaming cases' script: each writer of a team writes `tokens` words of its own, a word every
 * `tokenDelayMs`. Words are unique across teams and calls ("<tag><call>w<n>", under 16 characters, so
 * each is one delta) and tell a reader which token it got.
 */
export function writersScript(
  teams: { team: string; tag: string; calls: number; tokens: number }[],
  tokenDelayMs: number,
): MessagesScript {
  return Object.fromEntries(
    teams.flatMap(({ team, tag, calls, tokens }) =>
      Array.from({ length: calls }, (_, i) => [
        `${team}/w${i + 1}`,
        [{ text: wordsOf(`${tag}${i + 1}w`, tokens), tokenDelayMs }],
      ]),
    ),
  );
}

import { z } from 'zod';
import { ArgumentSchema, JudgmentSchema, defineAgent, defineTeam, defineTool } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';

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
export const debate = defineTeam({
  name: 'bench-debate',
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

export function script(fanOutDelayMs: number, toolCalls: number[]): MessagesScript {
  return {
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

// Bare Temporal equivalents of Troupe's cases: the same activity patterns, hand-written, no Troupe.
import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Argument, Judgment } from '../src/team/decisions.js';
import type { BareActivities } from './bare-activities.js';
import { bareFeedPoll, bareFeedPublish, bareFeedRead, type BarePage } from './bare-feed.js';

const { work, ask, argue, judge } = proxyActivities<BareActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  retry: { maximumAttempts: 5 },
});
// A streamed answer may take longer than the heartbeat timeout above (the activity does not heartbeat), as Troupe's calls may.
const { askStreamed } = proxyActivities<BareActivities>({
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 5 },
});

/** A chain of `steps` activities, each given the previous one's output. */
export async function bareChain(steps: number): Promise<string> {
  let output = 'task';
  for (let i = 0; i < steps; i += 1) output = await work({ input: output, delayMs: 0 });
  return output;
}

/** `members` activities of `delayMs` at once. */
export async function bareFanOut(members: number, delayMs: number): Promise<string[]> {
  return Promise.all(Array.from({ length: members }, (_, i) => work({ input: `member ${i}`, delayMs })));
}

/** A debate's activity pattern: `debaters` at once for `rounds` rounds, then one judge. */
export async function bareDebate(debaters: number, rounds: number): Promise<string> {
  let previous: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    previous = await Promise.all(
      Array.from({ length: debaters }, (_, i) => work({ input: `${i}:${previous.join('|')}`, delayMs: 0 })),
    );
  }
  return work({ input: previous.join('|'), delayMs: 0 });
}

/** The same debate, each call asking the model through the SDK, as a hand-written Temporal app calling Claude would. */
export async function bareModelDebate(debaters: number, rounds: number): Promise<string> {
  let previous: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    previous = await Promise.all(
      Array.from({ length: debaters }, (_, i) =>
        ask({ system: `Argue as d${i + 1}.`, prompt: `Round ${round + 1}. The others said: ${previous.join(' | ')}` }),
      ),
    );
  }
  return ask({ system: 'Judge.', prompt: `Decide between: ${previous.join(' | ')}` });
}

/**
 * The same debate with structured answers, as real debates make: each debater answers an Argument, the
 * judge a Judgment (the activities send the schema and validate the reply); each round's debaters see
 * the others' previous arguments.
 */
export async function bareStructuredDebate(debaters: number, rounds: number): Promise<Judgment> {
  let previous: Argument[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const others = (i: number) => JSON.stringify(previous.filter((_, j) => j !== i));
    previous = await Promise.all(
      Array.from({ length: debaters }, (_, i) =>
        argue({
          agent: `d${i + 1}`,
          system: `Argue as d${i + 1}.`,
          prompt: `Round ${round + 1}. The others argued: ${others(i)}`,
        }),
      ),
    );
  }
  return judge({
    agent: 'judge',
    system: 'Judge.',
    prompt: `Decide between these arguments: ${JSON.stringify(previous)}`,
  });
}

/** A tool loop's activity pattern: a model turn, then a tool call, `calls` times, then a final model turn. */
export async function bareToolLoop(calls: number): Promise<string> {
  let output = 'task';
  for (let i = 0; i < calls; i += 1) {
    output = await work({ input: output, delayMs: 0 });
    output = await work({ input: `tool ${i}: ${output}`, delayMs: 0 });
  }
  return work({ input: output, delayMs: 0 });
}

/**
 * One model call, as a hand-written Temporal app would stream it to its readers (`stream`), or not: the
 * activity signals the text in batches of `batchMs` and returns what it had not sent; readers long-poll
 * `bareFeedPoll` from an offset, and read a closed run with `bareFeedRead`.
 */
export async function bareStreamedCall(agent: string, stream: boolean, batchMs: number): Promise<string> {
  const items: string[] = [];
  let ended = false;
  const page = (from: number): BarePage => ({ items: items.slice(from), next: items.length, ended });
  setHandler(bareFeedPublish, (text) => void items.push(text));
  setHandler(bareFeedPoll, async (from) => {
    await condition(() => items.length > from || ended);
    return page(from);
  });
  setHandler(bareFeedRead, page);
  const { text, tail } = await askStreamed({
    agent,
    batchMs,
    ...(stream ? { workflowId: workflowInfo().workflowId } : {}),
  });
  if (tail) items.push(tail);
  ended = true;
  // Readers waiting get the tail before the run ends.
  await condition(allHandlersFinished);
  return text;
}

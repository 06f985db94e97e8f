// Bare Temporal equivalents of Troupe's cases: the same activity patterns, hand-written, no Troupe.
import { proxyActivities } from '@temporalio/workflow';
import type { Argument, Judgment } from '../src/team/decisions.js';
import type { BareActivities } from './bare-activities.js';

const { work, ask, argue, judge } = proxyActivities<BareActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
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

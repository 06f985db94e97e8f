import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { MessagesScript } from '../../../src/activities/index.js';
import { ClientError } from '../../../src/client/errors.js';
import { TroupeClient } from '../../../src/client/troupe-client.js';
import type { FeedItem } from '../../../src/protocol/feed-events.js';
import type { RunResult } from '../../../src/protocol/messages.js';
import { feedText } from '../../../src/protocol/feed-text.js';
import { defineAgent, defineTeam, defineTool, TeamRegistry, type AgentConfig } from '../../../src/team/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../../src/testing/messages-api-double.js';
import { createTroupeWorker } from '../../../src/workers/index.js';
import { uniqueId, useTemporal } from '../../support/temporal.js';

// The live feed on the real dev server (real time: tokens arrive over seconds), real workers, the
// real Anthropic SDK streaming from the Messages API double.
const temporal = useTemporal('dev-server');

const quick: Pick<AgentConfig, 'timeout' | 'heartbeatTimeout' | 'retry'> = {
  timeout: '10s',
  heartbeatTimeout: '5s',
  retry: { maximumAttempts: 3, initialInterval: 100, backoffCoefficient: 1, maximumInterval: 100 },
};
const text = (name: string) => defineAgent({ name, role: name, system: `You are ${name}.`, output: 'text', ...quick });
const Argument = z.object({ position: z.string(), argument: z.string() });
const debater = (name: string) =>
  defineAgent({ name, role: 'debater', system: `Argue as ${name}.`, output: Argument, ...quick });

const pair = defineTeam({
  name: 'feed-pair',
  agents: [text('planner'), text('writer')],
  topology: { kind: 'pipeline', steps: [{ agent: 'planner' }, { agent: 'writer' }] },
});
const inner = defineTeam({
  name: 'feed-inner',
  agents: [text('researcher')],
  topology: { kind: 'pipeline', steps: [{ agent: 'researcher' }] },
});
const outer = defineTeam({
  name: 'feed-outer',
  agents: [text('editor')],
  subteams: [inner],
  topology: { kind: 'pipeline', steps: [{ team: 'feed-inner' }, { agent: 'editor' }] },
});
const long = defineTeam({
  name: 'feed-long',
  agents: [debater('pro'), debater('con')],
  topology: { kind: 'debate', debaters: ['pro', 'con'], rounds: 12, decide: { by: 'vote' }, stopOnConsensus: false },
  limits: { historyEvents: 100 },
});
const quiet = defineTeam({
  name: 'feed-quiet',
  agents: [text('writer')],
  topology: { kind: 'pipeline', steps: [{ agent: 'writer' }] },
  stream: { enabled: false },
});
const lookup = defineTool({
  name: 'lookup',
  description: 'Look a term up.',
  input: z.object({ term: z.string() }),
  run: ({ term }) => `${term}: a small bird`,
});
const tooled = defineTeam({
  name: 'feed-tools',
  agents: [
    defineAgent({ name: 'scout', role: 'researcher', system: 'Look up.', output: 'text', tools: [lookup], ...quick }),
  ],
  topology: {
    kind: 'pipeline',
    steps: [{ agent: 'scout', approval: { gate: 'publish', approvers: ['ana'], timeout: '7d' } }],
  },
});
const retried = defineTeam({
  name: 'feed-retried',
  agents: [text('writer')],
  topology: { kind: 'pipeline', steps: [{ agent: 'writer' }] },
});
const thrifty = defineTeam({
  name: 'feed-thrifty',
  agents: ['a', 'b', 'c', 'd'].map(text),
  topology: { kind: 'pipeline', steps: [{ agent: 'a' }, { agent: 'b' }, { agent: 'c' }, { agent: 'd' }] },
  budget: { calls: 3, lowAt: 0.5 },
});
// Answers of 2 KB under a 20 KB feed limit: the debate continues as new long before its history would.
const wordy = defineTeam({
  name: 'feed-wordy',
  agents: [debater('pro'), debater('con')],
  topology: { kind: 'debate', debaters: ['pro', 'con'], rounds: 12, decide: { by: 'vote' }, stopOnConsensus: false },
  limits: { feedBytes: 20_000 },
});
const registry = new TeamRegistry([pair, outer, long, quiet, tooled, retried, thrifty, wordy]);

const words = (n: number, word = 'word') => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');
const PLAN = words(12, 'plan');
const ESSAY = words(30, 'essay');

let double: MessagesApiDouble;
let troupe: TroupeClient;
let stop: () => Promise<void>;

const script: MessagesScript = {
  'feed-pair/planner': [{ text: PLAN, tokenDelayMs: 20 }],
  'feed-pair/writer': [{ text: ESSAY, tokenDelayMs: 25 }],
  'feed-inner/researcher': [{ text: 'inner findings from the sub-team', tokenDelayMs: 20 }],
  'feed-outer/editor': [{ text: 'edited', tokenDelayMs: 10 }],
  'feed-long/pro': [{ json: { position: 'yes', argument: 'because yes' }, tokenDelayMs: 2 }],
  'feed-long/con': [{ json: { position: 'no', argument: 'because no' }, tokenDelayMs: 2 }],
  'feed-quiet/writer': [{ text: 'not streamed', tokenDelayMs: 5 }],
  'feed-tools/scout': [
    { toolUse: [{ name: 'lookup', input: { term: 'wren' } }], text: 'Let me look that up.', tokenDelayMs: 5 },
    { text: 'A wren is a small bird.', tokenDelayMs: 5 },
  ],
  'feed-wordy/pro': [{ json: { position: 'yes', argument: 'y'.repeat(2_000) } }],
  'feed-wordy/con': [{ json: { position: 'no', argument: 'n'.repeat(2_000) } }],
  ...Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [`feed-thrifty/${n}`, [{ text: `${n} spent` }]])),
  // The first attempt's stream breaks after "The answer is ": the retry writes the whole answer.
  'feed-retried/writer': [{ malformedBody: true }, { text: ESSAY, tokenDelayMs: 5 }],
};

beforeAll(async () => {
  double = await startMessagesApiDouble(script);
  const taskQueue = uniqueId('feed');
  const worker = await createTroupeWorker({
    connection: temporal.env.nativeConnection,
    taskQueue,
    teams: registry,
    anthropic: double.client(),
    workflowBundle: temporal.bundle,
  });
  const running = worker.run();
  troupe = new TroupeClient(temporal.env.client, registry, { taskQueue });
  stop = async () => {
    worker.shutdown();
    await running;
    await double.close();
  };
});
afterAll(() => stop?.());

/** Everything a feed gives until it ends, with when each item arrived. */
async function collect(items: AsyncIterable<FeedItem>): Promise<{ item: FeedItem; receivedAt: number }[]> {
  const got: { item: FeedItem; receivedAt: number }[] = [];
  for await (const item of items) got.push({ item, receivedAt: Date.now() });
  return got;
}

const textOf = (items: FeedItem[], path: string[]) =>
  items
    .filter((i): i is Extract<FeedItem, { type: 'text' }> => i.type === 'text' && i.path.join('/') === path.join('/'))
    .map((i) => i.text)
    .join('');

describe('the live feed of a run', () => {
  it("streams each agent's text as it is written, in order, between its call's start and end, then the run's end", async () => {
    const run = await troupe.start('feed-pair', 'Write an essay.', { workflowId: uniqueId('feed-pair') });
    const got = await collect(run.stream());
    const items = got.map((g) => g.item);
    expect(items.map((i) => i.offset)).toEqual(items.map((_, i) => i));
    expect(items.at(-1)).toMatchObject({ type: 'run-finished', path: [], partial: false });
    expect(textOf(items, ['planner'])).toBe(PLAN);
    expect(textOf(items, ['writer'])).toBe(ESSAY);

    // The writer's text came in several batches, spread over time, not in one piece at the end.
    const writerTexts = got.filter((g) => g.item.type === 'text' && g.item.path[0] === 'writer');
    expect(writerTexts.length).toBeGreaterThanOrEqual(3);
    expect(writerTexts.at(-1)!.receivedAt - writerTexts[0]!.receivedAt).toBeGreaterThan(300);

    const index = (predicate: (i: FeedItem) => boolean) => items.findIndex(predicate);
    const started = index((i) => i.type === 'call-started' && i.path[0] === 'writer');
    const firstText = index((i) => i.type === 'text' && i.path[0] === 'writer');
    const finished = index((i) => i.type === 'call-finished' && i.path[0] === 'writer');
    const handedOn = index((i) => i.type === 'handoff' && i.from === 'planner' && i.to === 'writer');
    expect(handedOn).toBeGreaterThan(-1);
    expect(handedOn).toBeLessThan(started);
    expect(started).toBeLessThan(firstText);
    expect(items.findLastIndex((i) => i.type === 'text' && i.path[0] === 'writer')).toBeLessThan(finished);
    expect(items[finished]).toMatchObject({ stopReason: 'end_turn' });
    expect((await run.result()).output).toBe(ESSAY);
  });

  it('resumes from an offset after a disconnect with nothing lost and nothing repeated', async () => {
    const run = await troupe.start('feed-pair', 'Again.', { workflowId: uniqueId('feed-pair') });
    const before: FeedItem[] = [];
    for await (const item of run.stream()) {
      before.push(item);
      // Disconnect in the middle of the writer's text.
      if (item.type === 'text' && item.path[0] === 'writer') break;
    }
    const after = (await collect(run.stream({ from: before.at(-1)!.offset + 1 }))).map((g) => g.item);
    const whole = (await collect(run.stream({ from: 0 }))).map((g) => g.item);
    expect([...before, ...after]).toEqual(whole);
    expect(textOf([...before, ...after], ['writer'])).toBe(ESSAY);
  });

  it('costs no signal while no one reads: the text comes with each result, and the feed has it all', async () => {
    const run = await troupe.start('feed-pair', 'Unwatched.', { workflowId: uniqueId('feed-pair') });
    await run.result();
    const history = await run.handle.fetchHistory();
    const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signals).toEqual([]);
    const items = (await collect(run.stream())).map((g) => g.item);
    expect(textOf(items, ['writer'])).toBe(ESSAY);
    expect(textOf(items, ['planner'])).toBe(PLAN);
  });

  it("carries a sub-team's events into the root's feed, labelled with their member path", async () => {
    const run = await troupe.start('feed-outer', 'Research, then edit.', { workflowId: uniqueId('feed-outer') });
    const items = (await collect(run.stream())).map((g) => g.item);
    expect(textOf(items, ['feed-inner', 'researcher'])).toBe('inner findings from the sub-team');
    expect(textOf(items, ['editor'])).toBe('edited');
    expect(items).toContainEqual(expect.objectContaining({ type: 'run-finished', path: ['feed-inner'] }));
    // The sub-team's own run has no feed of its own: a reader is sent to the root's.
    const child = troupe.stream(`${run.workflowId}/feed-inner-0.1`);
    await expect(child.next()).rejects.toSatisfy(
      (error: unknown) => error instanceof ClientError && error.code === 'NO_FEED' && /root run/.test(error.message),
    );
    // The sub-team's end comes before the editor starts; the root's end is last.
    const subEnd = items.findIndex((i) => i.type === 'run-finished' && i.path[0] === 'feed-inner');
    const editorStart = items.findIndex((i) => i.type === 'call-started' && i.path[0] === 'editor');
    expect(subEnd).toBeLessThan(editorStart);
    expect(items.at(-1)).toMatchObject({ type: 'run-finished', path: [] });
    expect(items.map((i) => i.offset)).toEqual(items.map((_, i) => i));
  });

  it('follows continue-as-new in mid-stream, offsets going on', async () => {
    const run = await troupe.start('feed-long', 'Yes or no?', { workflowId: uniqueId('feed-long') });
    const items = (await collect(run.stream())).map((g) => g.item);
    const result: RunResult = await run.result();
    expect(result.continuedAsNew).toBeGreaterThan(0);
    expect(items.map((i) => i.offset)).toEqual(items.map((_, i) => i));
    expect(items.filter((i) => i.type === 'call-finished')).toHaveLength(24);
    expect(items.at(-1)).toMatchObject({ type: 'run-finished', path: [] });
  });

  it("marks a retried call so its dead attempt's text is dropped", async () => {
    const run = await troupe.start('feed-retried', 'Write.', { workflowId: uniqueId('feed-retried') });
    const items = (await collect(run.stream())).map((g) => g.item);
    const dead = items.findIndex((i) => i.type === 'text' && i.attempt === 1);
    const retry = items.findIndex((i) => i.type === 'call-retried');
    expect(items[dead]).toMatchObject({ path: ['writer'] });
    expect(items[dead]?.type === 'text' && items[dead].text).toContain('The answer');
    expect(items[retry]).toMatchObject({ path: ['writer'], turn: 1, attempt: 2 });
    expect(retry).toBeGreaterThan(dead);
    expect(items.filter((i) => i.type === 'text' && i.attempt === 1 && i.offset > retry)).toEqual([]);
    // A reader that drops what the retry voids has the answer exactly once.
    expect(feedText(items, ['writer'])).toBe(ESSAY);
    expect(textOf(items, ['writer'])).not.toBe(ESSAY);
  });

  it("streams tool calls and a person's decision as they happen", async () => {
    const run = await troupe.start('feed-tools', 'What is a wren?', { workflowId: uniqueId('feed-tools') });
    const seen: FeedItem[] = [];
    for await (const item of run.stream()) {
      seen.push(item);
      if (item.type === 'approval-waiting') await run.decide({ gate: 'publish', by: 'ana', decision: 'approve' });
    }
    const types = seen.map((i) => i.type);
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'tool-started', path: ['scout'], tool: 'lookup', input: { term: 'wren' } }),
    );
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'tool-finished', tool: 'lookup', isError: false, summary: 'wren: a small bird' }),
    );
    expect(seen).toContainEqual(
      expect.objectContaining({
        type: 'approval-waiting',
        workflowId: run.workflowId,
        gate: 'publish',
        approvers: ['ana'],
      }),
    );
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'approval-decided', gate: 'publish', decision: 'approve', by: 'ana' }),
    );
    expect(types.indexOf('tool-started')).toBeLessThan(types.indexOf('tool-finished'));
    expect(types.indexOf('approval-waiting')).toBeLessThan(types.indexOf('approval-decided'));
    expect(feedText(seen, ['scout'])).toBe('Let me look that up.A wren is a small bird.');
  });

  it('streams the budget running low, then out, and the partial end it causes', async () => {
    const run = await troupe.start('feed-thrifty', 'Spend.', { workflowId: uniqueId('feed-thrifty') });
    const items = (await collect(run.stream())).map((g) => g.item);
    const budget = items.flatMap((i) => (i.type === 'budget' ? [i.kind] : []));
    expect(budget).toEqual(['low', 'exhausted']);
    expect(items.filter((i) => i.type === 'call-started').map((i) => i.path[0])).toEqual(['a', 'b', 'c']);
    expect(items.at(-1)).toMatchObject({ type: 'run-finished', path: [], partial: true, stoppedBy: 'maxAgentCalls' });
  });

  it('continues as new once the feed outgrows its limit, keeping its newest items; an older offset is refused, naming where it starts', async () => {
    const run = await troupe.start('feed-wordy', 'Yes or no?', { workflowId: uniqueId('feed-wordy') });
    const result = await run.result();
    expect(result.continuedAsNew).toBeGreaterThan(0);
    // Not for its history: far below the team's limit of events.
    const events = (await run.handle.fetchHistory()).events?.length ?? 0;
    expect(events).toBeLessThan(1_000);
    await expect(run.stream({ from: 0 }).next()).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof ClientError && error.code === 'FEED_OFFSET' && /keeps offsets from \d+/.test(error.message),
    );
    const refused = await run
      .stream({ from: 0 })
      .next()
      .then(
        () => '',
        (error: Error) => error.message,
      );
    const start = Number(/keeps offsets from (\d+)/.exec(refused)?.[1]);
    expect(start).toBeGreaterThan(0);
    const rest = (await collect(run.stream({ from: start }))).map((g) => g.item);
    expect(rest[0]?.offset).toBe(start);
    expect(rest.at(-1)).toMatchObject({ type: 'run-finished', path: [] });
    // What comes next, from a run whose oldest items are gone: nothing (it has ended), and no error.
    expect(await collect(run.stream({ from: 'now' }))).toEqual([]);
  });

  it("survives its worker's restart in mid-answer: a reader reads on, and the rebuilt feed is the one it was reading", async () => {
    const taskQueue = uniqueId('feed-restart');
    const startWorker = async () => {
      const worker = await createTroupeWorker({
        connection: temporal.env.nativeConnection,
        taskQueue,
        teams: registry,
        anthropic: double.client(),
        workflowBundle: temporal.bundle,
      });
      return { worker, running: worker.run() };
    };
    let current = await startWorker();
    const own = new TroupeClient(temporal.env.client, registry, { taskQueue });
    const run = await own.start('feed-pair', 'Through a restart.', { workflowId: uniqueId('feed-restart') });
    const seen: FeedItem[] = [];
    let restarted = false;
    for await (const item of run.stream()) {
      seen.push(item);
      if (!restarted && item.type === 'text' && item.path[0] === 'writer') {
        restarted = true;
        current.worker.shutdown();
        await current.running;
        current = await startWorker();
      }
    }
    try {
      expect(restarted).toBe(true);
      expect(seen.map((i) => i.offset)).toEqual(seen.map((_, i) => i));
      expect(feedText(seen, ['writer'])).toBe(ESSAY);
      expect(seen).toContainEqual(expect.objectContaining({ type: 'call-retried', path: ['writer'] }));
      // The new worker rebuilt the feed from the history: the same items at the same offsets.
      expect((await collect(run.stream({ from: 0 }))).map((g) => g.item)).toEqual(seen);
    } finally {
      current.worker.shutdown();
      await current.running;
    }
  });

  it('a team with streaming off still has its steps in the feed, and no text', async () => {
    const run = await troupe.start('feed-quiet', 'Quietly.', { workflowId: uniqueId('feed-quiet') });
    const items = (await collect(run.stream())).map((g) => g.item);
    expect(items.filter((i) => i.type === 'text')).toEqual([]);
    expect(items.map((i) => i.type)).toEqual(expect.arrayContaining(['call-started', 'call-finished', 'run-finished']));
  });

  it('refuses an unknown run and an offset past the end, clearly', async () => {
    const missing = troupe.stream('no-such-run-here');
    await expect(missing.next()).rejects.toSatisfy(
      (error: unknown) => error instanceof ClientError && error.code === 'UNKNOWN_RUN' && /no run/.test(error.message),
    );
    const run = await troupe.start('feed-quiet', 'Once.', { workflowId: uniqueId('feed-quiet') });
    await run.result();
    const past = run.stream({ from: 10_000 });
    await expect(past.next()).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof ClientError && error.code === 'FEED_OFFSET' && /past the end of the feed/.test(error.message),
    );
  });
});

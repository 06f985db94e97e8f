/**
 * `npm run bench`: Troupe side by side with bare Temporal, in the same run, on the same embedded dev
 * server and worker settings, with a zero-latency scripted model. Each case runs several times;
 * the table shows the median and the spread, and bench/results/latest.json keeps every figure.
 * `npm run bench -- --smoke` runs tiny sizes once: CI uses it to keep the benchmark working; it
 * fails only when the benchmark breaks, never on a timing. `--case N` runs one case (`--case 3` its
 * variants 3, 3b, 3c and 3s; `--case 3s` that one alone); `--debates N` and `--repeats N` size case 3.
 * The streaming cases (`--case stream` runs them all): 3f, 3r, 3p and 3q (case 3's debates with streaming on
 * against off), 9 (a token's delay from the model to a reader) and 10 (history bytes per streamed call).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { createFileAnswerJournal, createOfflineAnthropic, type MessagesScript } from '../src/activities/index.js';
import { TroupeClient, type RunHandle } from '../src/client/index.js';
import { ensureSearchAttributes, startEmbeddedServer } from '../src/hosting/index.js';
import { readServerRecord, serverRecordPath } from '../src/hosting/server-record.js';
import { DEFAULT_STREAM_BATCH_MS, TeamRegistry } from '../src/team/index.js';
import { FULL_RATE_BATCHES } from '../src/activities/feed-publisher.js';
import { startMessagesApiDouble } from '../src/testing/messages-api-double.js';
import { createTroupeWorker, installRuntime } from '../src/workers/index.js';
import { bareActivities } from './bare-activities.js';
import { bareFeedPoll, bareFeedRead, type BarePage } from './bare-feed.js';
import { historySize, readFeed, resumed, spread, TokenClock, type HistorySize, type TokenTrip } from './streaming.js';
import {
  debate,
  fanOutOf,
  pacedDebate,
  pacedPlainDebate,
  pipelineOf,
  script,
  toolLoopOf,
  wordsOf,
  writersOf,
  writersScript,
} from './teams.js';
import { offlineScript, teams as exampleTeams } from '../examples/index.js';

const { temporal } = proto;
const smoke = process.argv.includes('--smoke');
const option = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
/** `--case 3` runs only that case (for profiling, e.g. with node --cpu-prof). */
const only = option('--case');
const wanted = (n: number | string) => only === undefined || only === String(n);
/** Case 3's structured variant runs with case 3, or alone. */
const wanted3s = wanted('3s') || only === '3';
/** The streaming cases run alone, or all together with `--case stream`. */
const wantedStream = (name: string) => wanted(name) || only === 'stream';
const count = (name: string) => {
  const value = option(name);
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new Error(`${name} takes a whole number above 0, not ${value}`);
  return Number(value);
};
const size = {
  ...(smoke
    ? {
        repeats: 1,
        steps: 5,
        members: 4,
        fanOutDelayMs: 50,
        debates: 5,
        shortPipeline: 5,
        longPipeline: 20,
        toolCalls: 3,
        cli: 1,
        pacedTokenDelayMs: 2,
        tokenDelayMs: 5,
        latencyTokens: 20,
        shortAnswer: 50,
        longAnswer: 100,
        historyCalls: 2,
      }
    : {
        repeats: 5,
        steps: 50,
        members: 16,
        fanOutDelayMs: 500,
        debates: 100,
        shortPipeline: 20,
        longPipeline: 200,
        toolCalls: 20,
        cli: 5,
        // Case 3p: about 50 deltas per answer, one every 20 ms (a model writing 50 tokens a second).
        pacedTokenDelayMs: 20,
        // Cases 9 and 10: a token every 20 ms; 9's answers are 200 tokens (4 s), 10's 50 and 2,000 (40 s).
        tokenDelayMs: 20,
        latencyTokens: 200,
        shortAnswer: 50,
        longAnswer: 2_000,
        // Case 10 compares runs of this many calls with runs of one, for what one more call adds.
        historyCalls: 3,
      }),
  ...(count('--debates') ? { debates: count('--debates') as number } : {}),
  ...(count('--repeats') ? { repeats: count('--repeats') as number } : {}),
};
const ROOT = fileURLToPath(new URL('../', import.meta.url));

installRuntime({ TROUPE_LOG_LEVEL: 'ERROR' });
/** The machine's load average (1, 5, 15 minutes) as the run starts: with the load at the end, how busy it was. */
const loadAtStart = loadavg().map((n) => +n.toFixed(2));
const dbFile = join(mkdtempSync(join(tmpdir(), 'troupe-bench-')), 'dev.db');
const target = await startEmbeddedServer({ port: 0, uiPort: 0, dbFile });
const serverPid = readServerRecord(serverRecordPath(dbFile))?.pid;
const teams = [
  pacedDebate,
  pacedPlainDebate,
  pipelineOf(size.steps),
  pipelineOf(size.steps, true),
  fanOutOf(size.members),
  debate,
  pipelineOf(size.shortPipeline),
  pipelineOf(size.longPipeline),
  toolLoopOf(size.toolCalls),
];
const registry = new TeamRegistry(teams.filter((team, i) => teams.findIndex((t) => t.name === team.name) === i));
// The model: the offline provider, keeping no record of requests (as a worker's does).
const offline = (replies: MessagesScript) => createOfflineAnthropic(replies, { record: false }).anthropic;
// A fresh answer journal, as on a new machine: every paid answer is journaled, as by default.
const answers = createFileAnswerJournal(mkdtempSync(join(tmpdir(), 'troupe-bench-journal-')));
const troupeWorker = await createTroupeWorker({
  connection: target.nativeConnection,
  namespace: target.namespace,
  taskQueue: 'bench-troupe',
  teams: registry,
  answers,
  anthropic: offline(script(size.fanOutDelayMs, [size.toolCalls], size.pacedTokenDelayMs)),
});
// The streaming cases (9, 10): the Messages API double over HTTP, streaming each word `tokenDelayMs` after the one
// before and telling the clock when it wrote each; Troupe's writers on their own queue, bare's streamed call beside.
const clock = new TokenClock();
const writers = [
  { team: 'stream-latency', tag: 'L', calls: 1, tokens: size.latencyTokens },
  ...[1, size.historyCalls].flatMap((calls) => [
    { team: `stream-short-${calls}`, tag: `S${calls}c`, calls, tokens: size.shortAnswer },
    { team: `stream-long-${calls}`, tag: `G${calls}c`, calls, tokens: size.longAnswer },
  ]),
];
const bareWriters = { latency: size.latencyTokens, short: size.shortAnswer, long: size.longAnswer };
const double = await startMessagesApiDouble(
  {
    ...writersScript(writers, size.tokenDelayMs),
    ...Object.fromEntries(
      Object.entries(bareWriters).map(([name, tokens]) => [
        `bare-${name}`,
        [{ text: wordsOf(`B${name[0]}w`, tokens), tokenDelayMs: size.tokenDelayMs }],
      ]),
    ),
  },
  { onChunk: clock.sent },
);
const streamRegistry = new TeamRegistry(writers.map(({ team, calls }) => writersOf(team, calls)));
const streamWorker =
  wantedStream('9') || wantedStream('10')
    ? await createTroupeWorker({
        connection: target.nativeConnection,
        namespace: target.namespace,
        taskQueue: 'bench-stream',
        teams: streamRegistry,
        answers,
        anthropic: double.client(),
      })
    : undefined;
const streamClient = new TroupeClient(target.client, streamRegistry, { taskQueue: 'bench-stream' });
// The example teams (one per topology) on their own queue with their own offline script, for the history table.
const examplesRegistry = new TeamRegistry(exampleTeams);
const examplesWorker = await createTroupeWorker({
  connection: target.nativeConnection,
  namespace: target.namespace,
  taskQueue: 'bench-examples',
  teams: examplesRegistry,
  answers,
  anthropic: offline(offlineScript),
});
const examples = new TroupeClient(target.client, examplesRegistry, {
  taskQueue: 'bench-examples',
  searchAttributes: await ensureSearchAttributes(target.client, target.namespace),
});
const bareWorker = await Worker.create({
  connection: target.nativeConnection,
  namespace: target.namespace,
  taskQueue: 'bench-bare',
  workflowsPath: fileURLToPath(new URL('./bare-workflows.ts', import.meta.url)),
  activities: bareActivities(offline(script(size.fanOutDelayMs, [size.toolCalls])), double.client()),
});
// Runs as `troupe run` starts them: with Troupe's search attributes (status, tokens, cost) on.
const troupe = new TroupeClient(target.client, registry, {
  taskQueue: 'bench-troupe',
  searchAttributes: await ensureSearchAttributes(target.client, target.namespace),
});
// Runs as a program starts them with TroupeClient's defaults: no search attributes, so no visibility writes bare Temporal does not make either.
const library = new TroupeClient(target.client, registry, { taskQueue: 'bench-troupe' });
let seq = 0;
const bare = (workflow: string, args: unknown[]) =>
  target.client.workflow.execute(workflow, {
    taskQueue: 'bench-bare',
    workflowId: `bare-${workflow}-${(seq += 1)}`,
    args,
  });
const run = async (team: string, client = troupe): Promise<RunHandle> => {
  const handle = await client.start(team, 'Benchmark task.', { workflowId: `troupe-${team}-${(seq += 1)}` });
  await handle.result();
  return handle;
};

interface Figure {
  case: string;
  unit: string;
  troupe: number[];
  bare: number[];
  target?: string;
}
const figures: Figure[] = [];
const extras: Record<string, unknown> = {};

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function both(
  name: string,
  unit: string,
  troupeCase: () => Promise<number>,
  bareCase: () => Promise<number>,
  goal?: string,
): Promise<void> {
  const figure: Figure = { case: name, unit, troupe: [], bare: [], ...(goal ? { target: goal } : {}) };
  for (let i = 0; i < size.repeats; i += 1) {
    // Alternate which side goes first, so neither always runs on a warmer server.
    const pair =
      i % 2 === 0 ? [await troupeCase(), await bareCase()] : [await bareCase(), await troupeCase()].reverse();
    figure.troupe.push(pair[0] ?? NaN);
    figure.bare.push(pair[1] ?? NaN);
  }
  figures.push(figure);
  console.log(`  ${name}: troupe ${fmt(median(figure.troupe))} ${unit}, bare ${fmt(median(figure.bare))} ${unit}`);
}

/** A run's history and its sub-teams' (child workflows), with its model calls and tool calls counted. */
async function treeHistoryOf(
  workflowId: string,
): Promise<{ events: number; bytes: number; calls: number; tools: number }> {
  const history = await target.client.workflow.getHandle(workflowId).fetchHistory();
  const total = {
    events: history.events?.length ?? 0,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    calls: 0,
    tools: 0,
  };
  for (const event of history.events ?? []) {
    const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type === 'runAgent' || type === 'runModelTurn') total.calls += 1;
    if (type === 'runTool' || type === 'runMcpTool') total.tools += 1;
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    if (child) {
      const sub = await treeHistoryOf(child);
      for (const key of ['events', 'bytes', 'calls', 'tools'] as const) total[key] += sub[key];
    }
  }
  return total;
}

async function historyOf(handle: {
  fetchHistory(): Promise<proto.temporal.api.history.v1.IHistory>;
}): Promise<{ events: number; bytes: number }> {
  const history = await handle.fetchHistory();
  return {
    events: history.events?.length ?? 0,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
  };
}

/**
 * A run of a streaming case's team, with a reader timing each token (unless streaming is off, or `read`
 * is false); the tokens' trips.
 */
async function writersRun(
  team: string,
  tokens: number,
  { stream, read = true }: { stream?: { batchMs: number } | false; read?: boolean } = {},
): Promise<{ handle: RunHandle; trips: TokenTrip[] }> {
  clock.start();
  const handle = await streamClient.start(team, 'Benchmark task.', {
    workflowId: `troupe-${team}-${(seq += 1)}`,
    ...(stream !== undefined ? { stream } : {}),
  });
  if (stream === false || !read) {
    await handle.result();
    return { handle, trips: [] };
  }
  const reading = () =>
    readFeed(
      (options) => handle.stream(options),
      (item) => item.type === 'text' && clock.received(item.text),
      team,
    );
  await Promise.all([reading(), handle.result()]);
  return { handle, trips: clock.check(tokens) };
}

/** The same for bare Temporal's streamed call (one call), read as a hand-written app reads it. */
async function bareWritersRun(
  agent: string,
  tokens: number,
  stream: boolean,
): Promise<{ handle: WorkflowHandle; trips: TokenTrip[] }> {
  clock.start();
  const handle = await target.client.workflow.start('bareStreamedCall', {
    taskQueue: 'bench-bare',
    workflowId: `bare-${agent}-${(seq += 1)}`,
    args: [agent, stream, DEFAULT_STREAM_BATCH_MS],
  });
  if (!stream) {
    await handle.result();
    return { handle, trips: [] };
  }
  await Promise.all([readBare(handle, (text) => clock.received(text)), handle.result()]);
  return { handle, trips: clock.check(tokens) };
}

/** Reads a bare streamed call's feed to its end: long polls, then a query if the run closed between two. */
async function readBare(handle: WorkflowHandle, onText: (text: string) => void): Promise<void> {
  let from = 0;
  for (;;) {
    let page: BarePage;
    try {
      page = await handle.executeUpdate(bareFeedPoll, { args: [from] });
    } catch (error) {
      page = await handle.query(bareFeedRead, from);
      if (!page.ended) throw error;
    }
    for (const text of page.items) onText(text);
    from = page.next;
    if (page.ended) return;
  }
}

// The stream worker runs beside the others while the cases run (it has none to run unless 9 or 10 is wanted).
const streamWorkerRunning = streamWorker?.run();

await Promise.all([
  troupeWorker.runUntil(
    examplesWorker.runUntil(
      bareWorker.runUntil(async () => {
        console.log(
          `Troupe bench (${smoke ? 'smoke' : 'full'}): ${cpus().length} cores, ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${loadavg()
            .map((n) => n.toFixed(2))
            .join(' ')}`,
        );
        // Warm both sides (bundles loaded, caches filled) before measuring.
        await run(`pipeline-${size.shortPipeline}`);
        await bare('bareChain', [size.shortPipeline]);

        if (wanted(1))
          await both(
            `1. handoff: ${size.steps}-step pipeline`,
            'ms',
            () => timed(() => run(`pipeline-${size.steps}`)),
            () => timed(() => bare('bareChain', [size.steps])),
            'ratio ≤ 1.05',
          );
        if (wanted(2))
          await both(
            `2. fan-out: ${size.members} × ${size.fanOutDelayMs} ms`,
            'ms',
            () => timed(() => run(`fan-out-${size.members}`)),
            () => timed(() => bare('bareFanOut', [size.members, size.fanOutDelayMs])),
            'ratio ≤ 1.05',
          );

        if (wanted(4))
          await both(
            `4. tool loop: ${size.toolCalls} tool calls, one per model turn (per call: a model turn + the tool)`,
            'ms per tool call',
            async () => (await timed(() => run(`tool-loop-${size.toolCalls}`))) / size.toolCalls,
            async () => (await timed(() => bare('bareToolLoop', [size.toolCalls]))) / size.toolCalls,
          );

        let peak = { troupe: 0, bare: 0 };
        const sampling = (side: 'troupe' | 'bare') => {
          const timer = setInterval(() => (peak[side] = Math.max(peak[side], process.memoryUsage().rss)), 50);
          return () => clearInterval(timer);
        };
        const baseline = process.memoryUsage().rss;
        const cpu = {
          troupe: { worker: [] as number[], server: [] as number[] },
          troupeAttributes: { worker: [] as number[], server: [] as number[] },
          bare: { worker: [] as number[], server: [] as number[] },
          bareModel: { worker: [] as number[], server: [] as number[] },
          bareStructured: { worker: [] as number[], server: [] as number[] },
          streamOn: { worker: [] as number[], server: [] as number[] },
          streamRead: { worker: [] as number[], server: [] as number[] },
          streamOff: { worker: [] as number[], server: [] as number[] },
          pacedRead: { worker: [] as number[], server: [] as number[] },
          pacedOn: { worker: [] as number[], server: [] as number[] },
          pacedOff: { worker: [] as number[], server: [] as number[] },
        };
        /** Runs `batch` and keeps the CPU it took per run: this process (worker and client) and the Temporal server. */
        const perRunCpu = async (side: keyof typeof cpu, batch: () => Promise<unknown>) => {
          const before = cpuNow();
          await batch();
          const after = cpuNow();
          cpu[side].worker.push((after.worker - before.worker) / size.debates);
          if (after.server !== undefined && before.server !== undefined)
            cpu[side].server.push((after.server - before.server) / size.debates);
        };
        /** `size.debates` debates at once. */
        const debates = (startOne: () => Promise<unknown>) =>
          Promise.all(Array.from({ length: size.debates }, startOne));
        /** A batch of debates on one side, in calls per second; their CPU is kept per debate. */
        const debatesPerSecond = async (side: keyof typeof cpu, startOne: () => Promise<unknown>) => {
          const ms = await timed(() => perRunCpu(side, () => debates(startOne)));
          return (size.debates * 7) / (ms / 1_000);
        };
        const sampled = (side: 'troupe' | 'bare', measure: () => Promise<number>) => async () => {
          const stop = sampling(side);
          try {
            return await measure();
          } finally {
            stop();
          }
        };
        const troupeDebate = () => run('bench-debate', library);
        const bareDebate = () => bare('bareDebate', [3, 2]);
        const troupeDebates = () => debatesPerSecond('troupe', troupeDebate);
        const bareDebates = () => debatesPerSecond('bare', bareDebate);
        if (wanted(3)) {
          // One unmeasured batch a side first: the first batches after the pipelines ran slower, on Troupe's side most.
          await debates(troupeDebate);
          await debates(bareDebate);
        }
        if (wanted(3))
          await both(
            `3. throughput: ${size.debates} concurrent debates (7 calls each)`,
            'calls/s',
            sampled('troupe', troupeDebates),
            sampled('bare', bareDebates),
            'ratio ≥ 0.9',
          );
        // Bare's activity above does no model call; a hand-written Temporal app calling Claude makes the same SDK call Troupe's worker does.
        if (wanted(3))
          await both(
            `3b. throughput: the same, bare workflows calling the model through the same Anthropic client`,
            'calls/s',
            troupeDebates,
            () => debatesPerSecond('bareModel', () => bare('bareModelDebate', [3, 2])),
          );
        // Search attributes cost the server a visibility write per upsert: on against off, both Troupe, interleaved.
        if (wanted(3))
          await both(
            `3c. throughput: Troupe's search attributes on (as \`troupe run\` starts runs) vs off (troupe = on, bare = off)`,
            'calls/s',
            () => debatesPerSecond('troupeAttributes', () => run('bench-debate', troupe)),
            troupeDebates,
          );
        // Real debates answer with the debate's schemas: Troupe's debaters and judge always do (ArgumentSchema, JudgmentSchema);
        // here the bare side does the same work a hand-written app does for it (the schema sent, the reply parsed with zod).
        if (wanted3s) {
          const bareStructuredDebate = () => bare('bareStructuredDebate', [3, 2]);
          // One unmeasured batch a side first, as for case 3 (Troupe's is warm already when case 3 ran just before).
          if (!wanted(3)) await debates(troupeDebate);
          await debates(bareStructuredDebate);
          await both(
            `3s. throughput: ${size.debates} concurrent debates, debaters and judge answering with ArgumentSchema / JudgmentSchema on both sides`,
            'calls/s',
            troupeDebates,
            () => debatesPerSecond('bareStructured', bareStructuredDebate),
            'ratio ≥ 0.9',
          );
          const troupeHistory = await historyOf((await run('bench-debate', library)).handle);
          const bareRun = await target.client.workflow.start('bareStructuredDebate', {
            taskQueue: 'bench-bare',
            workflowId: `bare-history-${(seq += 1)}`,
            args: [3, 2],
          });
          await bareRun.result();
          extras['3s. history of one debate (events, bytes)'] = {
            troupe: troupeHistory,
            bare: await historyOf(bareRun),
          };
        }
        if (wanted(3) || wanted3s) {
          const ms = (values: number[]) => (values.length ? +median(values).toFixed(1) : undefined);
          extras['3. CPU per debate (ms, median): this process (workers and client), the Temporal server'] = {
            troupeWorker: ms(cpu.troupe.worker),
            troupeWithAttributesWorker: ms(cpu.troupeAttributes.worker),
            bareWorker: ms(cpu.bare.worker),
            bareModelWorker: ms(cpu.bareModel.worker),
            bareStructuredWorker: ms(cpu.bareStructured.worker),
            troupeServer: ms(cpu.troupe.server),
            troupeWithAttributesServer: ms(cpu.troupeAttributes.server),
            bareServer: ms(cpu.bare.server),
            bareModelServer: ms(cpu.bareModel.server),
            bareStructuredServer: ms(cpu.bareStructured.server),
          };
        }
        if (wanted(3))
          extras['7. memory'] = {
            baselineRssMb: mb(baseline),
            peakRssMbTroupe: mb(peak.troupe),
            peakRssMbBare: mb(peak.bare),
            rssKbPerConcurrentRunTroupe: Math.round((peak.troupe - baseline) / 1024 / size.debates),
          };
        peak = { troupe: 0, bare: 0 };

        // Case 3's debates with streaming on (the default) against off, both Troupe, interleaved as 3c is.
        const debateRun = (team: string, options: { stream?: false }, read: boolean) => async () => {
          const handle = await library.start(team, 'Benchmark task.', {
            workflowId: `troupe-${team}-${(seq += 1)}`,
            ...options,
          });
          // A reader per run, as an app showing the run live has: run.stream() from the start to the run's end.
          const reading = () =>
            readFeed(
              (from) => handle.stream(from),
              () => undefined,
              team,
            );
          await (read ? Promise.all([reading(), handle.result()]) : handle.result());
          return handle;
        };
        const streamOn = debateRun('bench-debate', {}, false);
        const streamOff = debateRun('bench-debate', { stream: false }, false);
        const streamsWanted = ['3f', '3r', '3p', '3q'].some(wantedStream);
        if (streamsWanted && !wanted(3)) {
          // Unmeasured batches first, as case 3 does (case 3 warms both when it runs before).
          await debates(streamOn);
          await debates(streamOff);
        }
        if (wantedStream('3f'))
          await both(
            `3f. throughput: ${size.debates} concurrent debates, streaming on (the default; no reader) vs off (\`stream: false\`), both Troupe (troupe = on, bare = off)`,
            'calls/s',
            () => debatesPerSecond('streamOn', streamOn),
            () => debatesPerSecond('streamOff', streamOff),
            'ratio ≥ 0.8',
          );
        if (wantedStream('3r'))
          await both(
            `3r. throughput: the same, streaming on with a reader per run (run.stream() to the run's end) vs off`,
            'calls/s',
            () => debatesPerSecond('streamRead', debateRun('bench-debate', {}, true)),
            () => debatesPerSecond('streamOff', streamOff),
            'ratio ≥ 0.8',
          );
        if (wantedStream('3p'))
          await both(
            `3p. throughput: the same debates answering about 50 tokens, one every ${size.pacedTokenDelayMs} ms; streamed with a reader per run vs off (each answer whole after the same time)`,
            'calls/s',
            () => debatesPerSecond('pacedRead', debateRun('bench-debate-paced', {}, true)),
            () => debatesPerSecond('pacedOff', debateRun('bench-debate-paced-plain', { stream: false }, false)),
          );
        if (wantedStream('3q'))
          await both(
            `3q. throughput: the same paced debates streamed with no reader vs off`,
            'calls/s',
            () => debatesPerSecond('pacedOn', debateRun('bench-debate-paced', {}, false)),
            () => debatesPerSecond('pacedOff', debateRun('bench-debate-paced-plain', { stream: false }, false)),
          );
        if (wantedStream('3p') || wantedStream('3q')) {
          // What one paced debate leaves in its history, run alone: the feed's batches and reads by kind of event.
          const historyOf = async (team: string, options: { stream?: false }, read: boolean) => {
            const { events, bytes, kinds } = historySize(
              await (await debateRun(team, options, read)()).handle.fetchHistory(),
            );
            return { events, bytes, kinds };
          };
          extras['3p. history of one paced debate (7 calls), run alone'] = {
            streamedWithReader: await historyOf('bench-debate-paced', {}, true),
            streamedNoReader: await historyOf('bench-debate-paced', {}, false),
            plain: await historyOf('bench-debate-paced-plain', { stream: false }, false),
          };
        }
        if (streamsWanted) {
          const ms = (values: number[]) => (values.length ? +median(values).toFixed(1) : undefined);
          extras[
            '3f. CPU per debate, streaming (ms, median): this process (workers, client, readers), the Temporal server'
          ] = Object.fromEntries(
            (['streamOn', 'streamRead', 'streamOff', 'pacedRead', 'pacedOn', 'pacedOff'] as const).flatMap((side) => [
              [`${side}Worker`, ms(cpu[side].worker)],
              [`${side}Server`, ms(cpu[side].server)],
            ]),
          );
        }

        if (wantedStream('9')) {
          // One unmeasured run a side first (the stream worker's first run loads its workflow code).
          await writersRun('stream-latency', size.latencyTokens);
          await bareWritersRun('bare-latency', size.latencyTokens, true);
          const name = `9. streaming latency: a token from the model double writing it to run.stream() yielding it, ${size.latencyTokens} tokens ${size.tokenDelayMs} ms apart, batched every ${DEFAULT_STREAM_BATCH_MS} ms (bare: the same feed, hand-written)`;
          const p50: Figure = {
            case: `${name}, p50 per run`,
            unit: 'ms',
            troupe: [],
            bare: [],
            target: 'troupe ≤ 250 ms',
          };
          const p95: Figure = {
            case: `${name}, p95 per run`,
            unit: 'ms',
            troupe: [],
            bare: [],
            target: 'troupe ≤ 500 ms',
          };
          const pooled = { troupe: [] as number[], bare: [] as number[] };
          const troupeSide = async () => (await writersRun('stream-latency', size.latencyTokens)).trips;
          const bareSide = async () => (await bareWritersRun('bare-latency', size.latencyTokens, true)).trips;
          for (let i = 0; i < size.repeats; i += 1) {
            let troupeTrips: TokenTrip[];
            let bareTrips: TokenTrip[];
            if (i % 2 === 0) {
              troupeTrips = await troupeSide();
              bareTrips = await bareSide();
            } else {
              bareTrips = await bareSide();
              troupeTrips = await troupeSide();
            }
            for (const [side, trips] of [
              ['troupe', troupeTrips],
              ['bare', bareTrips],
            ] as const) {
              const delays = trips.map((trip) => trip.ms);
              const { p50: mid, p95: high } = spread(delays);
              p50[side].push(mid);
              p95[side].push(high);
              pooled[side].push(...delays);
            }
          }
          figures.push(p50, p95);
          console.log(
            `  9. streaming latency: troupe p50 ${fmt(median(p50.troupe))} ms, p95 ${fmt(median(p95.troupe))} ms; bare p50 ${fmt(median(p50.bare))} ms, p95 ${fmt(median(p95.bare))} ms`,
          );
          extras['9. streaming latency, every token of every measured run (ms)'] = {
            troupe: spread(pooled.troupe),
            bare: spread(pooled.bare),
          };
        }

        if (wantedStream('10')) {
          const perAnswer: Record<string, unknown> = {};
          const brief = (h: HistorySize) => ({ events: h.events, bytes: h.bytes });
          /** A team's runs of one call and of `historyCalls` calls: their histories, what one call adds, the tokens' trips. */
          const runsOf = async (kind: 'short' | 'long', tokens: number, options: Parameters<typeof writersRun>[2]) => {
            const sizes: HistorySize[] = [];
            const trips: TokenTrip[] = [];
            for (const calls of [1, size.historyCalls]) {
              const done = await writersRun(`stream-${kind}-${calls}`, tokens * calls, options);
              trips.push(...done.trips);
              sizes.push(historySize(await done.handle.handle.fetchHistory()));
            }
            const [one, many] = sizes as [HistorySize, HistorySize];
            // What one more call adds: the runs of historyCalls calls less the runs of one, per call added.
            const more = size.historyCalls - 1;
            const perCall = {
              events: +((many.events - one.events) / more).toFixed(1),
              bytes: Math.round((many.bytes - one.bytes) / more),
            };
            return { one, many, perCall, trips };
          };
          for (const [kind, tokens] of [
            ['short', size.shortAnswer],
            ['long', size.longAnswer],
          ] as const) {
            const streamed = await runsOf(kind, tokens, {});
            const plain = await runsOf(kind, tokens, { stream: false });
            const bareOn = await bareWritersRun(`bare-${kind}`, tokens, true);
            const bareOff = await bareWritersRun(`bare-${kind}`, tokens, false);
            const bare = {
              streamed: historySize(await bareOn.handle.fetchHistory()),
              plain: historySize(await bareOff.handle.fetchHistory()),
            };
            // Tokens written once the call sends at most a batch a second: after twice the time its full-rate batches take at least.
            const slowFrom = Math.ceil((2 * FULL_RATE_BATCHES * DEFAULT_STREAM_BATCH_MS) / size.tokenDelayMs);
            const late = streamed.trips.filter((trip) => trip.index >= slowFrom).map((trip) => trip.ms);
            const ratio = (a: { bytes: number }, b: { bytes: number }) => +(a.bytes / b.bytes).toFixed(2);
            const answer: Record<string, unknown> = {
              perCall: {
                streamed: streamed.perCall,
                plain: plain.perCall,
                ratio: ratio(streamed.perCall, plain.perCall),
              },
              oneCallRun: {
                streamed: brief(streamed.one),
                plain: brief(plain.one),
                ratio: ratio(streamed.one, plain.one),
              },
              [`${size.historyCalls}CallRunByKind`]: { streamed: streamed.many.kinds, plain: plain.many.kinds },
              bareOneCallRun: {
                streamed: brief(bare.streamed),
                plain: brief(bare.plain),
                ratio: ratio(bare.streamed, bare.plain),
                streamedByKind: bare.streamed.kinds,
              },
              latencyMs: {
                everyToken: spread(streamed.trips.map((trip) => trip.ms)),
                ...(late.length ? { [`tokens from the ${slowFrom}th on`]: spread(late) } : {}),
              },
            };
            console.log(
              `  10. history per call, ${tokens}-token answer: streamed with a reader ${streamed.perCall.bytes} bytes, plain ${plain.perCall.bytes} bytes (${ratio(streamed.perCall, plain.perCall)}x)`,
            );
            if (kind === 'short') {
              // The same short answer streamed without a reader (what publishing alone costs), and at longer batch intervals.
              const variants: Record<string, unknown> = {};
              const noReader = await runsOf(kind, tokens, { read: false });
              variants[`${DEFAULT_STREAM_BATCH_MS} ms, no reader`] = {
                perCall: noReader.perCall,
                ratio: ratio(noReader.perCall, plain.perCall),
              };
              const others = [100, 250, 500, 1_000].filter((ms) => ms !== DEFAULT_STREAM_BATCH_MS);
              for (const batchMs of smoke ? others.slice(0, 1) : others) {
                const batched = await runsOf(kind, tokens, { stream: { batchMs } });
                variants[`${batchMs} ms, a reader`] = {
                  perCall: batched.perCall,
                  ratio: ratio(batched.perCall, plain.perCall),
                  latencyMs: spread(batched.trips.map((trip) => trip.ms)),
                };
              }
              answer['other batch intervals, and no reader'] = variants;
            }
            perAnswer[`${tokens}-token answer`] = answer;
          }
          extras[
            `10. history per streamed call (a reader on) vs plain (streaming off): tokens ${size.tokenDelayMs} ms apart, batched every ${DEFAULT_STREAM_BATCH_MS} ms; bytes = the run's events serialized one by one`
          ] = perAnswer;
        }

        if (wanted(5))
          await both(
            `5. code-check gate: ${size.steps}-step pipeline, checked vs not (troupe = checked, bare = unchecked)`,
            'ms',
            () => timed(() => run(`pipeline-${size.steps}-checked`)),
            () => timed(() => run(`pipeline-${size.steps}`)),
            'ratio ≤ 1.2',
          );

        if (wanted(6)) {
          const history: Record<string, unknown> = {};
          for (const [name, team, calls] of [
            [`pipeline of ${size.shortPipeline}`, `pipeline-${size.shortPipeline}`, size.shortPipeline],
            [`pipeline of ${size.longPipeline}`, `pipeline-${size.longPipeline}`, size.longPipeline],
            [`parallel step of ${size.members}`, `fan-out-${size.members}`, size.members],
            ['debate (3 × 2 + judge)', 'bench-debate', 7],
          ] as const) {
            const { events, bytes } = await historyOf((await run(team)).handle);
            history[name] = { eventsPerCall: +(events / calls).toFixed(2), bytesPerCall: Math.round(bytes / calls) };
          }
          const bareChain = await target.client.workflow.start('bareChain', {
            taskQueue: 'bench-bare',
            workflowId: `bare-history-${(seq += 1)}`,
            args: [size.shortPipeline],
          });
          await bareChain.result();
          const bareHistory = await historyOf(bareChain);
          history[`bare chain of ${size.shortPipeline}`] = {
            eventsPerCall: +(bareHistory.events / size.shortPipeline).toFixed(2),
            bytesPerCall: Math.round(bareHistory.bytes / size.shortPipeline),
          };
          extras['6. history cost'] = history;
          // Every topology, as the example teams use it: a hierarchy counts its sub-teams' histories too.
          const topologies: Record<string, unknown> = {};
          for (const team of exampleTeams) {
            const handle = await examples.start(team.name, 'Benchmark task.', {
              workflowId: `example-${team.name}-${(seq += 1)}`,
            });
            await handle.result();
            const cost = await treeHistoryOf(handle.workflowId);
            topologies[`${team.name} (${team.spec.topology.kind})`] = {
              agentCalls: cost.calls,
              toolCalls: cost.tools,
              eventsPerCall: +(cost.events / cost.calls).toFixed(2),
              bytesPerCall: Math.round(cost.bytes / cost.calls),
            };
          }
          extras['6. history cost per topology (example teams)'] = topologies;
        }

        if (wanted(8)) {
          const cli = (args: string[]) => () => {
            const start = performance.now();
            const result = spawnSync(process.execPath, [join(ROOT, 'bin/troupe.js'), ...args], {
              env: { ...process.env, TEMPORAL_ADDRESS: target.address },
              encoding: 'utf8',
            });
            if (result.status !== 0) throw new Error(`troupe ${args.join(' ')} failed: ${result.stderr}`);
            return Promise.resolve(performance.now() - start);
          };
          const closed = (await run(`pipeline-${size.shortPipeline}`)).workflowId;
          const startup: Record<string, number> = {};
          for (const [name, args] of [
            ['--help', ['--help']],
            ['status of a closed run', ['status', closed]],
          ] as const) {
            const times: number[] = [];
            for (let i = 0; i < size.cli; i += 1) times.push(await cli([...args])());
            startup[name] = Math.round(median(times));
          }
          extras['8. CLI start-up (ms, from source through tsx)'] = startup;
        }
      }),
    ),
  ),
]);
streamWorker?.shutdown();
await streamWorkerRunning;
await double.close();
await target.close();

console.log(
  `\n| case | troupe (median, min–max) | bare (median, min–max) | troupe / bare | target |\n| --- | --- | --- | --- | --- |`,
);
for (const f of figures) {
  console.log(
    `| ${f.case} | ${fmt(median(f.troupe))} ${f.unit} (${fmt(Math.min(...f.troupe))}–${fmt(Math.max(...f.troupe))}) | ${fmt(median(f.bare))} ${f.unit} (${fmt(Math.min(...f.bare))}–${fmt(Math.max(...f.bare))}) | ${(median(f.troupe) / median(f.bare)).toFixed(2)} | ${f.target ?? ''} |`,
  );
}
if (Object.keys(resumed).length)
  extras['streaming: reads that failed and were resumed from the last offset, by team'] = resumed;
for (const [name, value] of Object.entries(extras)) console.log(`\n${name}: ${JSON.stringify(value)}`);
const results = {
  date: new Date().toISOString(),
  mode: smoke ? 'smoke' : 'full',
  size,
  loadAtStart,
  load: loadavg().map((n) => +n.toFixed(2)),
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
  },
  figures,
  extras,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
// Only a full run of every case at its usual sizes replaces latest.json, the figures the README quotes.
const file = smoke
  ? 'smoke'
  : only !== undefined
    ? `case-${only}`
    : option('--debates') || option('--repeats')
      ? 'resized'
      : 'latest';
writeFileSync(join(ROOT, `bench/results/${file}.json`), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `\nload at the end: ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}\nwrote bench/results/${file}.json`,
);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}
function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}
/** CPU time so far in ms: this process's, and the server's from /proc where there is one (Linux: 100 ticks a second). */
function cpuNow(): { worker: number; server: number | undefined } {
  const { user, system } = process.cpuUsage();
  let server: number | undefined;
  try {
    const fields = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    server = (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    server = undefined;
  }
  return { worker: (user + system) / 1000, server: Number.isFinite(server) ? server : undefined };
}
function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

/**
 * Where case 3s's time goes, Troupe against bare, per call: `npx tsx bench/profile-3s.ts [--debates N] [--replays N] [--calls N]`.
 * Not a timing target (those live in run.ts): a tool for finding Troupe's per-call overhead.
 *
 * 1. History: events, bytes and workflow tasks of one debate on each side, by event type.
 * 2. Activities: each side's activity run alone (MockActivityEnvironment) on the inputs its history
 *    recorded, CPU per call, with and without Troupe's answer journal, its parts timed one by one,
 *    and a CPU profile.
 * 3. Workflow code: both sides' recorded debates replayed in this thread (Temporal's replayer runs
 *    workflows in debug mode, in the main thread), CPU per debate, promises made in workflow code
 *    (Temporal captures a stack trace for each), and a CPU profile of the replay.
 */
import { Session } from 'node:inspector/promises';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promiseHooks } from 'node:v8';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import proto from '@temporalio/proto';
import {
  answerKey,
  createActivities,
  createFileAnswerJournal,
  createFilePayloadStore,
  createOfflineAnthropic,
  type AgentCallInput,
} from '../src/activities/index.js';
import { resolveAgent } from '../src/activities/model-call.js';
import { TroupeClient } from '../src/client/index.js';
import { startEmbeddedServer } from '../src/hosting/index.js';
import { ArgumentSchema, TeamRegistry, decisionProblem } from '../src/team/index.js';
import { WORKFLOWS_PATH, createTroupeWorker, installRuntime } from '../src/workers/index.js';
import { bareActivities, type StructuredAsk } from './bare-activities.js';
import { bundleFrames, summarize, type Profile } from './cpu-profile.js';
import { debate, script } from './teams.js';

const { temporal } = proto;
type History = proto.temporal.api.history.v1.IHistory;
type Event = proto.temporal.api.history.v1.IHistoryEvent;
const option = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
const size = { debates: option('--debates', 30), replays: option('--replays', 3), calls: option('--calls', 2000) };
const out = mkdtempSync(join(tmpdir(), 'troupe-profile-3s-'));

installRuntime({ TROUPE_LOG_LEVEL: 'ERROR' });
console.log(
  `profile 3s: ${cpus().length} cores, node ${process.version}, load ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}, ${JSON.stringify(size)}; profiles in ${out}`,
);

// ---- 1. Record debates on both sides, as the benchmark runs them.
const target = await startEmbeddedServer({ port: 0, uiPort: 0, dbFile: join(out, 'dev.db') });
const registry = new TeamRegistry([debate]);
const offline = () => createOfflineAnthropic(script(0, []), { record: false }).anthropic;
const journalDir = mkdtempSync(join(tmpdir(), 'troupe-profile-journal-'));
const troupeWorker = await createTroupeWorker({
  connection: target.nativeConnection,
  namespace: target.namespace,
  taskQueue: 'p-troupe',
  teams: registry,
  answers: createFileAnswerJournal(journalDir),
  anthropic: offline(),
});
const bareWorker = await Worker.create({
  connection: target.nativeConnection,
  namespace: target.namespace,
  taskQueue: 'p-bare',
  workflowsPath: fileURLToPath(new URL('./bare-workflows.ts', import.meta.url)),
  activities: bareActivities(offline()),
});
const library = new TroupeClient(target.client, registry, { taskQueue: 'p-troupe' });
let seq = 0;
const troupeRun = async () => {
  const handle = await library.start('bench-debate', 'Benchmark task.', { workflowId: `troupe-${(seq += 1)}` });
  await handle.result();
  return handle.workflowId;
};
const bareRun = async () => {
  const id = `bare-${(seq += 1)}`;
  await target.client.workflow.execute('bareStructuredDebate', { taskQueue: 'p-bare', workflowId: id, args: [3, 2] });
  return id;
};
const batch = (one: () => Promise<string>) => Promise.all(Array.from({ length: size.debates }, one));
const histories: {
  troupe: { workflowId: string; history: History }[];
  bare: { workflowId: string; history: History }[];
} = { troupe: [], bare: [] };
await troupeWorker.runUntil(
  bareWorker.runUntil(async () => {
    await batch(troupeRun);
    await batch(bareRun);
    for (const [side, ids] of [
      ['troupe', await batch(troupeRun)],
      ['bare', await batch(bareRun)],
    ] as const) {
      for (const workflowId of ids)
        histories[side].push({
          workflowId,
          history: await target.client.workflow.getHandle(workflowId).fetchHistory(),
        });
    }
  }),
);
await target.close();
// Kept for replaying elsewhere (e.g. on changed workflow code, to compare its cost on the same histories): encoded History protos, in base64.
for (const side of ['troupe', 'bare'] as const)
  writeFileSync(
    join(out, `histories-${side}.json`),
    JSON.stringify(
      histories[side].map(({ workflowId, history }) => ({
        workflowId,
        history: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64'),
      })),
    ),
  );

const eventType = (e: Event) =>
  temporal.api.enums.v1.EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? String(e.eventType);
const bytesOf = (e: Event) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length;
const ms = (t: Event['eventTime']) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const round = (n: number, digits = 2) => +n.toFixed(digits);

console.log('\n## 1. One debate (7 calls) in history, by event type: count, bytes');
const historyFigures: Record<string, unknown> = {};
for (const side of ['troupe', 'bare'] as const) {
  const all = histories[side];
  const one = all[0]?.history.events ?? [];
  const byType: Record<string, { count: number; bytes: number }> = {};
  for (const e of one) {
    const entry = (byType[eventType(e)] ??= { count: 0, bytes: 0 });
    entry.count += 1;
    entry.bytes += bytesOf(e);
  }
  // Workflow task processing as the server saw it (started to completed), over every recorded debate: worker time plus the round trip.
  const wft: number[] = [];
  for (const { history } of all) {
    const events = history.events ?? [];
    events.forEach((e, i) => {
      if (eventType(e) !== 'WORKFLOW_TASK_COMPLETED') return;
      const started = events
        .slice(0, i)
        .reverse()
        .find((s) => eventType(s) === 'WORKFLOW_TASK_STARTED');
      if (started) wft.push(ms(e.eventTime) - ms(started.eventTime));
    });
  }
  const scheduled = one.filter((e) => e.activityTaskScheduledEventAttributes);
  const completed = one.filter((e) => e.activityTaskCompletedEventAttributes);
  const payload = (p: proto.temporal.api.common.v1.IPayloads | null | undefined) =>
    (p?.payloads ?? []).reduce(
      (n, x) => n + (x.data?.length ?? 0) + Object.values(x.metadata ?? {}).reduce((m, v) => m + v.length, 0),
      0,
    );
  historyFigures[side] = {
    events: one.length,
    bytes: one.reduce((n, e) => n + bytesOf(e), 0),
    workflowTasks: byType['WORKFLOW_TASK_COMPLETED']?.count,
    workflowTaskMs: {
      median: round(median(wft)),
      p90: round([...wft].sort((a, b) => a - b)[Math.floor(wft.length * 0.9)] ?? NaN),
    },
    activityInputBytesPerCall: Math.round(
      scheduled.reduce((n, e) => n + payload(e.activityTaskScheduledEventAttributes?.input), 0) / scheduled.length,
    ),
    activityResultBytesPerCall: Math.round(
      completed.reduce((n, e) => n + payload(e.activityTaskCompletedEventAttributes?.result), 0) / completed.length,
    ),
    startInputBytes: payload(one[0]?.workflowExecutionStartedEventAttributes?.input),
    resultBytes: payload(one.at(-1)?.workflowExecutionCompletedEventAttributes?.result),
    byType,
  };
  console.log(side, JSON.stringify(historyFigures[side], null, 1));
}
const inputOf = (side: 'troupe' | 'bare', n: number) => {
  const e = (histories[side][0]?.history.events ?? []).filter((x) => x.activityTaskScheduledEventAttributes)[n];
  const data = e?.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data;
  return JSON.parse(Buffer.from(data ?? []).toString()) as unknown;
};
// A round-2 debater's call: it carries the others' arguments.
const troupeInput = inputOf('troupe', 3) as AgentCallInput;
const bareInput = inputOf('bare', 3) as StructuredAsk;
console.log('a round-2 debater call, troupe:', JSON.stringify(troupeInput).slice(0, 600));
console.log('a round-2 debater call, bare:', JSON.stringify(bareInput));

// ---- 2. Activities, alone, on the recorded inputs: before any replay, which installs Temporal's promise hook in this thread.
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
console.log('\n## 2. Activities alone: CPU per call (µs), on a round-2 debater input');
const troupeActivities = (journal: boolean) =>
  createActivities({
    anthropic: offline(),
    teams: registry,
    payloads: createFilePayloadStore(mkdtempSync(join(tmpdir(), 'troupe-profile-payloads-'))),
    ...(journal ? { answers: createFileAnswerJournal(mkdtempSync(join(tmpdir(), 'troupe-profile-journal-'))) } : {}),
  });
const { argue } = bareActivities(offline());
const withJournal = troupeActivities(true).runAgent;
const withoutJournal = troupeActivities(false).runAgent;
let activityId = 0;
const env = () =>
  new MockActivityEnvironment({
    activityId: String((activityId += 1)),
    workflowExecution: { workflowId: 'profile', runId: 'run' },
    startToCloseTimeoutMs: 120_000,
  });
const activityCases: [string, () => Promise<unknown>][] = [
  ['troupe runAgent (file journal, as the bench)', () => env().run(withJournal, troupeInput)],
  ['troupe runAgent (no journal)', () => env().run(withoutJournal, troupeInput)],
  ['bare argue', () => env().run(argue, bareInput)],
  ['a MockActivityEnvironment alone', () => env().run(() => Promise.resolve(undefined))],
];
// The parts of Troupe's call, one by one.
const format = zodOutputFormat(ArgumentSchema);
const answerText = JSON.stringify({ position: 'no', argument: 'because not' });
const request = {
  model: 'claude-sonnet-5-5',
  max_tokens: 2048,
  system: [{ type: 'text', text: 'Argue as d2.', cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'user', content: troupeInput.prompt }],
  output_config: { format: { type: format.type, schema: format.schema } },
};
const parts: [string, () => unknown][] = [
  ['resolveAgent (spec by fingerprint, checked)', () => resolveAgent(registry, troupeInput)],
  ['zodOutputFormat(ArgumentSchema) (were it per call)', () => zodOutputFormat(ArgumentSchema)],
  ['format.parse(answer) (JSON.parse + zod)', () => format.parse(answerText)],
  [
    'decisionProblem("argument", output) (the decision check)',
    () => decisionProblem('argument', { position: 'no', argument: 'because not' }),
  ],
  [
    'answerKey (sha256 of the JSON request)',
    () => answerKey({ workflowExecution: { workflowId: 'w', runId: 'r' }, activityId: '1' }, request),
  ],
];
const activityFigures: Record<string, unknown> = {};
// Rounds of every case in turn, so the machine's load drifts over all alike: the median and the least of the rounds.
const rounds = 7;
const perCall: Record<string, number[]> = {};
for (let r = 0; r < rounds; r += 1) {
  for (const [name, fn] of activityCases) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < size.calls / rounds; i += 1) await fn();
    const used = process.cpuUsage(cpu);
    // The first round warms up.
    if (r > 0) (perCall[name] ??= []).push((used.user + used.system) / (size.calls / rounds));
  }
}
for (const [name, values] of Object.entries(perCall))
  activityFigures[name] = { median: round(median(values), 1), min: round(Math.min(...values), 1) };
// One more pass of each side's activity under the profiler.
for (const [name, fn] of activityCases.slice(0, 3)) {
  await session.post('Profiler.start');
  for (let i = 0; i < size.calls / rounds; i += 1) await fn();
  const { profile } = await session.post('Profiler.stop');
  const file = name
    .split(' ')
    .slice(0, 2)
    .join('-')
    .replace(/[^a-z-]/gi, '');
  writeFileSync(
    join(out, `activity-${file}-${name.includes('no journal') ? 'nojournal' : 'as-bench'}.cpuprofile`),
    JSON.stringify(profile),
  );
  console.log(`profile of ${name}:`, JSON.stringify(summarize(profile as Profile), null, 1));
}
for (const [name, fn] of parts) {
  for (let i = 0; i < 200; i += 1) fn();
  const start = performance.now();
  for (let i = 0; i < size.calls; i += 1) fn();
  activityFigures[name] = round(((performance.now() - start) * 1000) / size.calls, 1);
}
console.log(JSON.stringify(activityFigures, null, 1));
// ---- 3. Workflow code: replay the recorded debates.
console.log('\n## 3. Workflow code, replayed in this thread: CPU per debate, promises in workflow code');
let counting = false;
let promises = 0;
/** Where workflow promises are made: stacks, resolved afterwards (the bundle's frames through its source map). */
let sites: string[] = [];
// A promise made inside a workflow's context (its own Promise constructor) is one Temporal captures a stack for.
const stopCounting = promiseHooks.createHook({
  init: (promise) => {
    if (!counting || Object.getPrototypeOf(promise) === Promise.prototype) return;
    promises += 1;
    sites.push(new Error().stack ?? '');
  },
}) as () => void;
/**
 * A promise's site: the innermost frame of the project's own code (Troupe's src/, the bare app's
 * bench/bare-*), and the frame that made the promise (the first in the bundle).
 */
const siteOf = (
  stack: string,
  resolve: (f: { functionName: string; url: string; lineNumber: number; columnNumber: number }) => {
    functionName: string;
    url: string;
    lineNumber: number;
  },
) => {
  const frames = stack
    .split('\n')
    .slice(1)
    .flatMap((line) => {
      const m = /at (?:(.*?) \()?([^()]*?):(\d+):(\d+)\)?$/.exec(line.trim());
      return m
        ? [
            resolve({
              functionName: m[1] ?? '',
              url: m[2] ?? '',
              lineNumber: Number(m[3]) - 1,
              columnNumber: Number(m[4]) - 1,
            }),
          ]
        : [];
    })
    .filter((f) => !/vm-shared|node:internal|promise_hooks|profile-3s/.test(f.url));
  const name = (f: { functionName: string; url: string; lineNumber: number } | undefined) =>
    f ? `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '-';
  const own = frames.find(
    (f) => /(^|\/)(src\/(workflows|team|protocol)|bench\/bare-)/.test(f.url) && !/node_modules/.test(f.url),
  );
  return `${name(own)} <- made by ${name(frames[0])}`;
};
const replayFigures: Record<string, unknown> = {};
for (const side of ['troupe', 'bare'] as const) {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: side === 'troupe' ? WORKFLOWS_PATH : fileURLToPath(new URL('./bare-workflows.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  // The bundle's frames, mapped back to their sources, say whose workflow code the time is spent in.
  const resolve = await bundleFrames(workflowBundle.code);
  const replay = async (n: number) => {
    const list = Array.from({ length: n }, () => histories[side]).flat();
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: `p-${side}` }, list))
      if (result.error) throw result.error;
    return list.length;
  };
  await replay(1); // bundles the code, warms the VM
  counting = true;
  promises = 0;
  sites = [];
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  await replay(1);
  Error.stackTraceLimit = stackTraceLimit;
  counting = false;
  const promisesPerDebate = promises / histories[side].length;
  const bySite = new Map<string, number>();
  for (const stack of sites)
    bySite.set(siteOf(stack, resolve), (bySite.get(siteOf(stack, resolve)) ?? 0) + 1 / histories[side].length);
  const promiseSites = Object.fromEntries([...bySite].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v, 1)]));
  await session.post('Profiler.start');
  const cpu = process.cpuUsage();
  const start = performance.now();
  const replayed = await replay(size.replays);
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - start;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(join(out, `replay-${side}.cpuprofile`), JSON.stringify(profile));
  replayFigures[side] = {
    debates: replayed,
    cpuMsPerDebate: round((used.user + used.system) / 1000 / replayed),
    wallMsPerDebate: round(wall / replayed),
    promisesPerDebate: round(promisesPerDebate, 1),
    promiseSitesPerDebate: promiseSites,
    profile: summarize(profile as Profile, resolve),
  };
  console.log(side, JSON.stringify(replayFigures[side], null, 1));
}
stopCounting();

session.disconnect();
writeFileSync(
  join(out, 'figures.json'),
  `${JSON.stringify({ date: new Date().toISOString(), load: loadavg(), size, history: historyFigures, replay: replayFigures, activitiesMicros: activityFigures }, null, 2)}\n`,
);
console.log(
  `\nload at the end: ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}; wrote ${join(out, 'figures.json')}`,
);

/**
 * `npm run reliability`: the chaos harness. Mixed runs (every topology, a hierarchy, a tool loop, a
 * human approval the harness gives) on a Temporal dev server with a database file, two worker
 * processes that are SIGKILLed at random moments and started again, and the server itself stopped
 * (SIGTERM) or killed (SIGKILL) and started again on the same file and port. Then it checks that
 * every run completed with the result a fault-free run gives, and counts the model calls the
 * Messages API double answered against those recorded in history: an answer delivered twice for one
 * call is a call paid twice. Payloads are encrypted (TROUPE_PAYLOAD_KEY) and the raw histories and
 * the database file are searched for the prompts and answers in plaintext. A load phase runs waves of
 * many runs at once on one worker with a zero-latency model and reads its memory in and after each wave.
 *
 * `npm run reliability -- --smoke` is the short mode CI runs; `--kills N --restarts N` change the number of faults,
 * `--waves N --wave-runs N` the load (waves of N runs at once). The harness fails (exit 1) only when a
 * run is lost, a result is wrong, a call is paid again after a worker journaled its answer, or plaintext
 * is found.
 * Results: reliability/results/latest.json (smoke.json) and latest.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { payloadDataConverter } from '../src/codec/index.js';
import { TroupeClient } from '../src/client/index.js';
import { ensureSearchAttributes } from '../src/hosting/index.js';
import { freePort } from '../src/hosting/free-port.js';
import { TeamRegistry } from '../src/team/index.js';
import { WORKFLOWS_PATH } from '../src/workers/index.js';
import { troupe } from '../test/support/cli.js';
import { RestartableDevServer } from './dev-server.js';
import { startPaidCallsDouble } from './paid-calls-double.js';
import { RestartableMcpHttpServer, killStdioMcpServers } from './mcp-servers.js';
import { approvalTeam, mcpTeam, script, teams } from './teams.js';
import { SupervisedWorker } from './workers.js';

const smoke = process.argv.includes('--smoke');
const size = smoke
  ? { kills: 8, restarts: 2, inFlight: 4, killEveryMs: [1_500, 4_000], loadWaves: 4, loadRuns: 40 }
  : { kills: 110, restarts: 6, inFlight: 8, killEveryMs: [2_000, 6_000], loadWaves: 6, loadRuns: 200 };
/** `--kills N` and `--restarts N` override the mode's numbers of faults, `--waves N` and `--wave-runs N` its load. */
const flag = (name: string) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined;
size.kills = flag('--kills') ?? size.kills;
size.restarts = flag('--restarts') ?? size.restarts;
size.loadWaves = flag('--waves') ?? size.loadWaves;
size.loadRuns = flag('--wave-runs') ?? size.loadRuns;
/** Worker limits of the load phase: sized for a 2-core machine (documented in the README). */
const LOAD_LIMITS = { maxConcurrentCalls: 50, maxConcurrentWorkflowTasks: 10 };
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TASK_QUEUE = 'reliability';
const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`);

// The world: a dev server on a database file, the double, a shared TROUPE_HOME, encrypted payloads.
const work = mkdtempSync(join(tmpdir(), 'troupe-reliability-'));
const dbFile = join(work, 'temporal.db');
const server = new RestartableDevServer(dbFile, await freePort());
await server.start();
const payloadKey = `reliability:${randomBytes(32).toString('base64')}`;
const connection = await Connection.connect({ address: server.address });
const dataConverter = payloadDataConverter({ TROUPE_PAYLOAD_KEY: payloadKey });
const client = new Client({ connection, dataConverter });
const registry = new TeamRegistry(teams);
const troupeClient = new TroupeClient(client, registry, {
  taskQueue: TASK_QUEUE,
  searchAttributes: await ensureSearchAttributes(client, 'default'),
});
const double = await startPaidCallsDouble(script);
// The MCP servers' executions of their tool, one line each: "done <workflow id>/<activity id> <epoch ms>".
const mcpLog = join(work, 'tally.log');
writeFileSync(mcpLog, '');
const mcpHttp = new RestartableMcpHttpServer(await freePort(), mcpLog);
await mcpHttp.start();
const bundle = join(work, 'workflows.bundle.js');
// Built with the workers' failure converter, so workflow failures keep their messages encrypted too.
writeFileSync(
  bundle,
  (
    await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      failureConverterPath: dataConverter.failureConverterPath!,
      logger: quietLogger(),
    })
  ).code,
);
const workerEnv = (taskQueue: string, limits: object = {}) => ({
  TEMPORAL_ADDRESS: server.address,
  RELIABILITY_TASK_QUEUE: taskQueue,
  RELIABILITY_BUNDLE: bundle,
  RELIABILITY_LIMITS: JSON.stringify(limits),
  ANTHROPIC_BASE_URL: double.url,
  ANTHROPIC_API_KEY: 'reliability',
  TROUPE_HOME: join(work, 'home'),
  TROUPE_PAYLOAD_KEY: payloadKey,
  RELIABILITY_MCP_LOG: mcpLog,
  RELIABILITY_MCP_PORT: String(mcpHttp.port),
});
/** When a worker first reported keeping each call's answer in the journal, by call (workflow id and activity id, as the double names calls). */
const journaledAt = new Map<string, number>();
const journaled = (key: string) => {
  // A journal key is workflowId/runId/activityId/hash, and workflow ids may hold slashes themselves.
  const parts = key.split('/');
  const call = `${parts.slice(0, -3).join('/')} ${parts.at(-2) ?? ''}`;
  if (!journaledAt.has(call)) journaledAt.set(call, Date.now());
};
const workers = [
  new SupervisedWorker(workerEnv(TASK_QUEUE), log, journaled),
  new SupervisedWorker(workerEnv(TASK_QUEUE), log, journaled),
];
workers.forEach((w) => w.start());
const laterWorkers: SupervisedWorker[] = [];
// However the harness ends (an error, Ctrl-C), it leaves no server or worker behind.
process.on('exit', () => {
  [...workers, ...laterWorkers].forEach((w) => w.killNow());
  server.killNow();
  mcpHttp.killNow();
  killStdioMcpServers();
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
log(`dev server at ${server.address} on ${dbFile}; double at ${double.url}; 2 workers`);

/** Retries what a server restart interrupts. */
async function persist<T>(what: () => Promise<T>, deadlineMs = 600_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await what();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

interface RunRecord {
  workflowId: string;
  team: string;
  phase: 'reference' | 'chaos' | 'load';
  status?: string;
  output?: string;
  agentCalls?: number;
  problem?: string;
}
const runs: RunRecord[] = [];
let sequence = 0;
const TASK = (team: string) => `Reliability task for ${team}: why do durable workflows matter for LLM agents?`;

/** One run from start to its end, the approval given when its gate waits; survives server restarts. */
async function runOne(team: string, phase: RunRecord['phase'], taskQueue = TASK_QUEUE): Promise<RunRecord> {
  const record: RunRecord = { workflowId: `${phase}-${team}-${(sequence += 1)}`, team, phase };
  runs.push(record);
  await persist(() =>
    troupeClient.start(team, TASK(team), { workflowId: record.workflowId, taskQueue }).catch((error: Error) => {
      // A start the server recorded before it went down is already there.
      if (error.name === 'WorkflowExecutionAlreadyStartedError') return undefined;
      throw error;
    }),
  );
  const handle = troupeClient.run(record.workflowId);
  const deadline = Date.now() + 900_000;
  let decided = team !== approvalTeam.name;
  while (Date.now() < deadline) {
    const status = await handle.handle.describe().then(
      (d) => d.status.name,
      () => undefined,
    );
    if (status && status !== 'RUNNING') {
      record.status = status;
      break;
    }
    if (!decided && status === 'RUNNING') {
      const awaiting = (await handle.progress().catch(() => undefined))?.awaiting;
      if (awaiting)
        decided = await handle.decide({ by: 'ana', decision: 'approve' }).then(
          (r) => r.accepted,
          () => false,
        );
    }
    await sleep(500);
  }
  if (record.status === 'COMPLETED') {
    const result = await persist(() => handle.result());
    record.output = JSON.stringify(result.output);
    record.agentCalls = result.agentCalls;
  } else {
    record.problem = record.status ? `ended ${record.status}` : 'did not end within 15 minutes';
  }
  return record;
}

// 1. Reference: every team once, without faults, gives the expected results.
double.setDelay(0, 0);
const expected = new Map<string, RunRecord>();
for (const record of await Promise.all(teams.map((team) => runOne(team.name, 'reference'))))
  expected.set(record.team, record);
log(`reference runs: ${[...expected.values()].map((r) => `${r.team} ${r.status}`).join(', ')}`);

// 2. Chaos: runs keep going while workers are killed and the server restarts.
double.setDelay(50, 400);
const faults: { at: number; kind: string }[] = [];
/** When each worker process was killed, by pid. */
const killedAt = new Map<number, number>();
/** Far longer than a live worker takes to journal an answer it received (parse it, write one file). */
const JOURNALING_MS = 250;
const chaos = {
  workerKills: 0,
  killsMidCall: 0,
  serverRestarts: { SIGTERM: 0, SIGKILL: 0 },
  serverDownMs: 0,
  mcpServerKills: { stdio: 0, http: 0 },
};
let chaosOver = false;
const inFlight = new Set<Promise<RunRecord>>();
const teamNames = teams.map((t) => t.name);
const keepRunning = (async () => {
  let next = 0;
  while (!chaosOver) {
    while (inFlight.size < size.inFlight && !chaosOver) {
      const run = runOne(teamNames[next++ % teamNames.length]!, 'chaos');
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    }
    await sleep(200);
  }
})();
const restartEvery = Math.floor(size.kills / size.restarts);
while (chaos.workerKills < size.kills || chaos.serverRestarts.SIGTERM + chaos.serverRestarts.SIGKILL < size.restarts) {
  await sleep(size.killEveryMs[0]! + Math.random() * (size.killEveryMs[1]! - size.killEveryMs[0]!));
  const restarts = chaos.serverRestarts.SIGTERM + chaos.serverRestarts.SIGKILL;
  if (chaos.workerKills >= (restarts + 1) * restartEvery && restarts < size.restarts) {
    const signal = restarts % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
    const down = Date.now();
    faults.push({ at: down, kind: `server ${signal}` });
    await server.stop(signal);
    await sleep(500 + Math.random() * 2_500);
    await server.start();
    faults.push({ at: Date.now(), kind: 'server started' });
    chaos.serverDownMs += Date.now() - down;
    chaos.serverRestarts[signal] += 1;
    log(`server restarted after ${signal} (down ${Date.now() - down}ms); ${chaos.workerKills} worker kills so far`);
    continue;
  }
  // Every third fault an MCP server dies instead: the stdio ones (their workers start them again) or the HTTP one.
  if (Math.random() < 1 / 3) {
    if ((chaos.mcpServerKills.stdio + chaos.mcpServerKills.http) % 2 === 0) {
      if (killStdioMcpServers() > 0) {
        faults.push({ at: Date.now(), kind: 'MCP stdio servers SIGKILL' });
        chaos.mcpServerKills.stdio += 1;
      }
    } else {
      faults.push({ at: Date.now(), kind: 'MCP HTTP server SIGKILL' });
      await mcpHttp.kill();
      await sleep(300 + Math.random() * 1_200);
      await mcpHttp.start();
      chaos.mcpServerKills.http += 1;
    }
    continue;
  }
  const ready = workers.filter((w) => w.isReady);
  const victim = ready[Math.floor(Math.random() * ready.length)];
  if (!victim) continue;
  const waiting = double.waiting();
  const pid = victim.pid;
  victim.kill();
  faults.push({ at: Date.now(), kind: 'worker SIGKILL' });
  if (pid !== undefined) killedAt.set(pid, Date.now());
  chaos.workerKills += 1;
  // Calls were in flight (of either worker) when the kill landed.
  if (waiting > 0) chaos.killsMidCall += 1;
  if (chaos.workerKills % 10 === 0)
    log(
      `${chaos.workerKills} worker kills; ${runs.filter((r) => r.phase === 'chaos' && r.status).length} chaos runs ended`,
    );
}
chaosOver = true;
await keepRunning;
log(`chaos over: waiting for ${inFlight.size} runs in flight`);
await Promise.all(inFlight);

// 3. Bad inputs through the CLI: each exits 2 with one line, and changes nothing.
const cluster = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', TROUPE_PAYLOAD_KEY: payloadKey };
const badJson = join(work, 'bad.json');
writeFileSync(badJson, '{"topic": ');
const closedApproval = expected.get(approvalTeam.name)!.workflowId;
const badInputs: { case: string; args: string[] }[] = [
  { case: 'unknown team', args: ['run', 'no-such-team', 'x', '--detach'] },
  { case: 'input file that is not JSON', args: ['run', 'research-brief', '--input-file', badJson, '--detach'] },
  { case: 'decision on a closed run', args: ['approve', closedApproval, '--by', 'ana'] },
  { case: 'decision by someone not an approver, on a closed run', args: ['reject', closedApproval, '--by', 'mallory'] },
  { case: 'status of an unknown run', args: ['status', 'no-such-run'] },
  {
    case: 'teams module that does not exist',
    args: ['--teams', 'reliability/no-such-teams.ts', 'run', 'x', 'y', '--detach'],
  },
  { case: 'list with a limit of 0', args: ['list', '--limit', '0'] },
];
const badInputResults = [];
for (const bad of badInputs) {
  const { code, stderr } = await troupe(bad.args, cluster);
  const lines = stderr.trim().split('\n');
  // Argument errors add the command's usage after the message; none may show a stack trace.
  const clear = code === 2 && (lines[0] ?? '').length > 0 && !/^\s+at /m.test(stderr);
  badInputResults.push({ case: bad.case, exitCode: code, clear, message: lines[0] ?? '' });
}

// 4. Tally: every run's end and result, and answered calls against the model calls in history.
const modelCalls = new Set<string>();
/** MCP calls whose activity completed, as the servers name them: "<workflow id>/<activity id>". */
const mcpCallsCompleted = new Set<string>();
const histories: string[] = [];
for await (const execution of client.workflow.list()) {
  // A fetched history is not decoded: its payloads are what the server stores.
  const history = await persist(() => client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory());
  histories.push(rawText(history).join('\n'));
  const scheduled = new Map<string, string>();
  for (const event of history.events ?? []) {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (attributes?.activityType?.name === 'runAgent' || attributes?.activityType?.name === 'runModelTurn')
      scheduled.set(String(event.eventId), attributes.activityId ?? '');
  }
  for (const activityId of scheduled.values()) modelCalls.add(`${execution.workflowId} ${activityId}`);
  const mcpScheduled = new Map<string, string>();
  for (const event of history.events ?? []) {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (attributes?.activityType?.name === 'runMcpTool')
      mcpScheduled.set(String(event.eventId), attributes.activityId ?? '');
    const completed = event.activityTaskCompletedEventAttributes;
    const activityId = completed ? mcpScheduled.get(String(completed.scheduledEventId)) : undefined;
    if (activityId !== undefined) mcpCallsCompleted.add(`${execution.workflowId}/${activityId}`);
  }
}
const chaosRuns = runs.filter((r) => r.phase === 'chaos');
for (const run of chaosRuns) {
  const reference = expected.get(run.team);
  if (run.status === 'COMPLETED' && (run.output !== reference?.output || run.agentCalls !== reference?.agentCalls)) {
    run.problem = `result differs from the fault-free run (agent calls ${run.agentCalls} vs ${reference?.agentCalls})`;
  }
}
const answered = [...double.answered.entries()];
const calls = {
  modelCallsInHistory: modelCalls.size,
  callsAnswered: answered.length,
  answersDelivered: answered.reduce((sum, [, n]) => sum + n, 0),
  repeatedPaidCalls: answered.reduce((sum, [, n]) => sum + Math.max(0, n - 1), 0),
  ...repeatsByCause(),
  answeredButNotInHistory: answered.filter(([key]) => !modelCalls.has(key)).length,
  inHistoryButNeverAnswered: [...modelCalls].filter((key) => !double.answered.has(key)).length,
  requestsReceived: double.requests(),
  answersReusedFromJournal: workers.reduce((n, w) => n + w.journalReuses, 0),
  // For each call paid twice: when its answers came, and the fault nearest its first answer.
  repeats: answered
    .filter(([, n]) => n > 1)
    .map(([call]) => {
      const deliveries = double.answeredAt.get(call) ?? [];
      const first = deliveries[0]?.at ?? 0;
      const fault = [...faults].sort((a, b) => Math.abs(a.at - first) - Math.abs(b.at - first))[0];
      const killed = deliveries[0] ? killedAt.get(deliveries[0].pid) : undefined;
      return {
        call,
        answersAtMs: deliveries.map((d) => d.at - started),
        journaled: journaledAt.has(call),
        firstAnswerWorkerKilledMsAfter: killed === undefined ? undefined : killed - first,
        nearestFault: fault ? { kind: fault.kind, msAfterFirstAnswer: fault.at - first } : undefined,
      };
    }),
};

// MCP: a completed call whose tool ran more than once. A fault (a worker or an MCP server killed, the Temporal
// server stopped) while its first execution ran, or within a second after, can explain it: that result never
// reached a worker that lived to journal it (a stdio server outlives its killed worker long enough to finish).
const executions = new Map<string, { startedAt: number; endedAt: number }[]>();
for (const line of readFileSync(mcpLog, 'utf8').split('\n').filter(Boolean)) {
  const [, call = '', startedAt = '0', endedAt = '0'] = line.split(' ');
  executions.set(call, [...(executions.get(call) ?? []), { startedAt: Number(startedAt), endedAt: Number(endedAt) }]);
}
const repeatedMcp = [...mcpCallsCompleted].filter((call) => (executions.get(call)?.length ?? 0) > 1);
const nearAFault = (call: string) => {
  const first = executions.get(call)?.[0];
  return first !== undefined && faults.some((f) => f.at >= first.startedAt - 50 && f.at <= first.endedAt + 1_000);
};
const mcp = {
  callsCompleted: mcpCallsCompleted.size,
  completedCallsNeverExecuted: [...mcpCallsCompleted].filter((call) => !executions.has(call)).length,
  executions: [...executions.values()].reduce((n, e) => n + e.length, 0),
  completedCallsRepeated: repeatedMcp.length,
  repeatsNearAFault: repeatedMcp.filter(nearAFault).length,
  repeatsUnexplained: repeatedMcp.filter((call) => !nearAFault(call)).length,
  serverKills: chaos.mcpServerKills,
  // For each repeat: when each execution ran (ms since the harness started), and the faults near the first.
  repeats: repeatedMcp.map((call) => {
    const runs = executions.get(call) ?? [];
    const first = runs[0]!;
    return {
      call,
      executionsMs: runs.map((r) => [r.startedAt - started, r.endedAt - started]),
      faultsNear: faults
        .filter((f) => Math.abs(f.at - first.startedAt) < 5_000)
        .map((f) => `${f.kind} at ${f.at - started}`),
    };
  }),
  chaosRuns: runs.filter((r) => r.phase === 'chaos' && r.team === mcpTeam.name).length,
};
log(`mcp: ${JSON.stringify(mcp)}`);

// 5. Plaintext: the prompts and the answers must appear neither in the raw histories nor in the database file.
const secrets = [...new Set([...teams.map((t) => TASK(t.name)), 'Troupe 0.1: durable multi-agent runs on Temporal.'])];
const database = readFileSync(dbFile).toString('latin1');
const plaintext = {
  encrypted: true,
  searchedFor: secrets.length,
  foundInHistories: secrets.filter((s) => histories.some((h) => h.includes(s))).length,
  foundInDatabase: secrets.filter((s) => database.includes(s)).length,
};
log(`calls: ${JSON.stringify(calls)}; plaintext: ${JSON.stringify(plaintext)}`);

// 6. Load: waves of runs at once on one worker with a zero-latency model. In each wave the worker's
// resident memory is sampled every 250 ms (the wave's peak); after it, once its runs have left the
// worker's cache, the worker collects its garbage and reports its memory (settled). A leak grows
// wave over wave, most plainly in the settled JS heap; bounded memory stays flat.
await Promise.all(workers.map((w) => w.stop()));
double.setDelay(0, 0);
const loadWorker = new SupervisedWorker(workerEnv('reliability-load', LOAD_LIMITS), log);
laterWorkers.push(loadWorker);
loadWorker.start();
while (!loadWorker.isReady) await sleep(100);
const mb = (bytes: number) => Math.round(bytes / 1_048_576);
// The settled heap to 0.1 MB: a leak of a few KB a run shows within a wave or two.
const mb1 = (bytes: number) => Math.round(bytes / 104_857.6) / 10;
const loadTeams = teamNames.filter((name) => name !== approvalTeam.name);
const loadRuns: RunRecord[] = [];
const waves: { seconds: number; rssPeakMb: number; settledRssMb: number; settledHeapMb: number }[] = [];
const loadStart = Date.now();
for (let wave = 0; wave < size.loadWaves; wave += 1) {
  const waveStart = Date.now();
  let peakBytes = 0;
  const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, loadWorker.rssBytes() ?? 0)), 250);
  loadRuns.push(
    ...(await Promise.all(
      Array.from({ length: size.loadRuns }, (_, i) =>
        runOne(loadTeams[i % loadTeams.length]!, 'load', 'reliability-load'),
      ),
    )),
  );
  clearInterval(sampler);
  const seconds = Math.round((Date.now() - waveStart) / 100) / 10;
  await sleep(1_000);
  const settled = await loadWorker.settle();
  waves.push({
    seconds,
    rssPeakMb: mb(peakBytes),
    settledRssMb: mb(settled.rssBytes),
    settledHeapMb: mb1(settled.heapUsedBytes),
  });
  log(`load wave ${wave + 1}: ${JSON.stringify(waves.at(-1))}`);
}
const loadMs = Date.now() - loadStart;
await loadWorker.stop();
// The first wave warms the worker up (code compiled, caches and pools filled): the trend is read from the second on.
const steady = waves.length > 2 ? waves.slice(1) : waves;
const [steadyFirst, steadyLast] = [steady[0]!, steady.at(-1)!];
/** MB a wave: the least-squares slope over the waves from the second on (RSS is noisy wave to wave). */
const perWave = (pick: (wave: (typeof waves)[number]) => number) => {
  const n = steady.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = steady.reduce((sum, w) => sum + pick(w), 0) / n;
  const slope =
    steady.reduce((sum, w, x) => sum + (x - meanX) * (pick(w) - meanY), 0) /
    steady.reduce((sum, _w, x) => sum + (x - meanX) ** 2, 0);
  return Math.round(slope * 10) / 10;
};
const load = {
  waves: size.loadWaves,
  runsPerWave: size.loadRuns,
  runs: loadRuns.length,
  completed: loadRuns.filter((r) => r.status === 'COMPLETED').length,
  failed: loadRuns.filter((r) => r.status !== 'COMPLETED').length,
  wrongResults: loadRuns.filter((r) => r.status === 'COMPLETED' && r.output !== expected.get(r.team)?.output).length,
  seconds: Math.round(loadMs / 100) / 10,
  workerLimits: LOAD_LIMITS,
  rssPeakMb: Math.max(...waves.map((w) => w.rssPeakMb)),
  byWave: waves,
  // Growth a wave, from the second wave to the last.
  rssPeakGrowthMbPerWave: perWave((w) => w.rssPeakMb),
  settledRssGrowthMbPerWave: perWave((w) => w.settledRssMb),
  settledHeapGrowthMbPerWave: perWave((w) => w.settledHeapMb),
  // Bounded: after the last wave the worker holds (settled JS heap, where run state would leak) within 10% of what it held after the second.
  levelsOff: steadyLast.settledHeapMb <= steadyFirst.settledHeapMb * 1.1,
};
log(`load: ${JSON.stringify(load)}`);

// 7. Report.
const lost = chaosRuns.filter((r) => r.status !== 'COMPLETED');
const wrong = chaosRuns.filter((r) => r.status === 'COMPLETED' && r.problem);
const referenceProblems = [...expected.values()].filter((r) => r.status !== 'COMPLETED');
const report = {
  date: new Date().toISOString(),
  mode: smoke ? 'smoke' : 'full',
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1e9),
    node: process.version,
  },
  durationSeconds: Math.round((Date.now() - started) / 1000),
  runs: {
    chaos: chaosRuns.length,
    completed: chaosRuns.filter((r) => r.status === 'COMPLETED').length,
    lost: lost.length,
    wrongResults: wrong.length,
    byTeam: Object.fromEntries(teamNames.map((name) => [name, chaosRuns.filter((r) => r.team === name).length])),
    reference: expected.size,
  },
  faults: {
    workerKills: chaos.workerKills,
    workerKillsWithCallsInFlight: chaos.killsMidCall,
    serverRestarts: chaos.serverRestarts,
    serverDownSeconds: Math.round(chaos.serverDownMs / 1000),
    workerExitsOnLostServer: workers.reduce((n, w) => n + w.unplannedExits, 0),
  },
  calls,
  mcp,
  badInputs: {
    tried: badInputResults.length,
    clear: badInputResults.filter((b) => b.clear).length,
    cases: badInputResults,
  },
  plaintext,
  load,
  problems: [...referenceProblems, ...lost, ...wrong].map((r) => `${r.workflowId}: ${r.problem}`),
};
// An answer finished after its worker died reached no worker: it is reported, but it is not a journal failure.
const failed =
  lost.length +
    wrong.length +
    referenceProblems.length +
    calls.repeatsAfterAnswerJournaled +
    mcp.repeatsUnexplained +
    mcp.completedCallsNeverExecuted +
    plaintext.foundInHistories +
    plaintext.foundInDatabase +
    load.failed +
    load.wrongResults >
    0 || report.badInputs.clear < report.badInputs.tried;
mkdirSync(join(ROOT, 'reliability/results'), { recursive: true });
writeFileSync(
  join(ROOT, `reliability/results/${smoke ? 'smoke' : 'latest'}.json`),
  `${JSON.stringify(report, null, 2)}\n`,
);
if (!smoke) writeFileSync(join(ROOT, 'reliability/results/latest.md'), markdown(report));
console.log(markdown(report));

await double.close();
await mcpHttp.kill();
await connection.close();
await server.stop('SIGTERM');
process.exit(failed ? 1 : 0);

/**
 * Why each call was paid again. A repeat the journal must prevent: a worker had journaled the
 * earlier answer before the call was answered again, or the earlier answer's worker lived on for
 * JOURNALING_MS after it was sent (time enough to journal it many times over). Otherwise its worker
 * was killed before it could keep the answer (the double may even have sent it after the kill), so
 * no worker-side journal could have kept it: a real API would bill it all the same.
 */
function repeatsByCause(): { repeatsAfterAnswerJournaled: number; repeatsOfAnswersNeverJournaled: number } {
  let reached = 0;
  let lost = 0;
  for (const [call, deliveries] of double.answeredAt) {
    const kept = journaledAt.get(call);
    deliveries.slice(1).forEach((later, i) => {
      const earlier = deliveries[i];
      const killed = earlier ? killedAt.get(earlier.pid) : undefined;
      const workerLivedOn = earlier !== undefined && (killed === undefined || killed - earlier.at >= JOURNALING_MS);
      if ((kept !== undefined && kept < later.at) || workerLivedOn) reached += 1;
      else lost += 1;
    });
  }
  return { repeatsAfterAnswerJournaled: reached, repeatsOfAnswersNeverJournaled: lost };
}

/** Every string and byte string in a history, as text: payload bytes are what the server stores. */
function rawText(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (value && typeof value === 'object') for (const v of Object.values(value)) rawText(v, out);
  return out;
}

function markdown(r: typeof report): string {
  const restarts = r.faults.serverRestarts;
  return [
    `# Reliability: ${r.mode} run of ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB, Node ${r.machine.node}. Took ${Math.round(r.durationSeconds / 60)} min.`,
    '',
    '| Measure | Figure |',
    '| --- | --- |',
    `| Runs under faults (every topology, a hierarchy, a tool loop, an approval) | ${r.runs.chaos} |`,
    `| Runs lost / wrong results | ${r.runs.lost} / ${r.runs.wrongResults} |`,
    `| Worker processes SIGKILLed (with model calls waiting) | ${r.faults.workerKills} (${r.faults.workerKillsWithCallsInFlight}) |`,
    `| Temporal server restarts (SIGTERM + SIGKILL), time down | ${restarts.SIGTERM + restarts.SIGKILL} (${restarts.SIGTERM} + ${restarts.SIGKILL}), ${r.faults.serverDownSeconds}s |`,
    `| Faults injected | ${r.faults.workerKills + restarts.SIGTERM + restarts.SIGKILL} |`,
    `| Model calls in history / answered by the API double | ${r.calls.modelCallsInHistory} / ${r.calls.callsAnswered} |`,
    `| Retried calls that reused the journaled answer instead of paying again | ${r.calls.answersReusedFromJournal} |`,
    `| Model calls paid twice (answers delivered beyond one per call) | ${r.calls.repeatedPaidCalls} |`,
    `| ... of which a worker had journaled the earlier answer, or lived on 250 ms after it (what the journal must prevent) | ${r.calls.repeatsAfterAnswerJournaled} |`,
    `| ... of which its worker was killed before journaling it (a real API bills these too) | ${r.calls.repeatsOfAnswersNeverJournaled} |`,
    `| MCP calls completed / tool executions (stdio and Streamable HTTP servers) | ${r.mcp.callsCompleted} / ${r.mcp.executions} |`,
    `| MCP server kills (stdio, HTTP) | ${r.mcp.serverKills.stdio}, ${r.mcp.serverKills.http} |`,
    `| Completed MCP calls whose tool ran again: within 1 s of a fault / unexplained | ${r.mcp.repeatsNearAFault} / ${r.mcp.repeatsUnexplained} |`,
    `| Bad inputs tried (refused: exit 2, a message, no stack trace) | ${r.badInputs.tried} (${r.badInputs.clear}) |`,
    `| Plaintext prompts or answers found (histories, database file; payloads encrypted) | ${r.plaintext.foundInHistories + r.plaintext.foundInDatabase} of ${r.plaintext.searchedFor} searched |`,
    `| Load: waves of runs at once on one worker, zero-latency model (completed, failed) | ${r.load.waves} × ${r.load.runsPerWave} (${r.load.completed}, ${r.load.failed}) in ${r.load.seconds}s |`,
    `| Load: worker RSS peak, wave by wave | ${r.load.byWave.map((w) => w.rssPeakMb).join(', ')} MB (${signed(r.load.rssPeakGrowthMbPerWave)} MB a wave after the first) |`,
    `| Load: worker settled after each wave (full GC): RSS | ${r.load.byWave.map((w) => w.settledRssMb).join(', ')} MB (${signed(r.load.settledRssGrowthMbPerWave)} MB a wave after the first) |`,
    `| Load: worker settled after each wave (full GC): JS heap in use | ${r.load.byWave.map((w) => w.settledHeapMb).join(', ')} MB (${signed(r.load.settledHeapGrowthMbPerWave)} MB a wave after the first) |`,
    `| Load: settled JS heap levels off (last wave within 10% of the second) | ${r.load.levelsOff ? 'yes' : 'no: still growing'} |`,
    '',
    r.problems.length ? `Problems:\n${r.problems.map((p) => `- ${p}`).join('\n')}\n` : 'No problems.\n',
  ].join('\n');
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function quietLogger() {
  const quiet = () => undefined;
  return { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };
}

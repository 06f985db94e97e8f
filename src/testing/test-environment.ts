import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  type LogLevel,
  type LogMetadata,
  type Logger,
  type Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { MessagesScript } from '../activities/index.js';
import { TroupeClient, type RunHandle, type StartOptions, type StreamOptions } from '../client/index.js';
import type { FeedItem } from '../protocol/feed-events.js';
import { TROUPE_SEARCH_ATTRIBUTES, resolveTemporalBinary } from '../hosting/index.js';
import type { AwaitingApproval } from '../protocol/index.js';
import { TeamRegistry, type Team } from '../team/index.js';
import { TestingError } from './errors.js';
import { createTroupeWorker } from '../workers/index.js';
import { payloadDataConverter } from '../codec/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from './messages-api-double.js';

/** What {@link startTestEnvironment} takes: the teams under test, the double's script, and which server. */
export interface TestEnvironmentOptions {
  /** The teams under test (sub-teams are found from them). */
  teams: Team[] | TeamRegistry;
  /** Scripted replies for the Messages API double, keyed "team/agent", "agent" or "*". */
  script?: MessagesScript;
  /** The time-skipping test server (default: timers and deadlines pass in milliseconds) or the dev server (real time). */
  server?: 'time-skipping' | 'dev-server';
  /** The double's wait before each streamed text delta, unless a reply sets its own `tokenDelayMs` (default 0). */
  tokenDelayMs?: number;
  /** A prebuilt workflow bundle, to share one between test files. */
  workflowBundle?: WorkflowBundle;
  /**
   * The level of the worker's and the SDK core's logs, unless the process installed its own Temporal
   * runtime (default WARN: tests stay readable). Core's notice that the time-skipping server keeps no
   * heartbeat details of a failed activity, repeated at each worker's start, is left out.
   */
  logLevel?: LogLevel;
}

/** A real Temporal server, a worker running the teams, and a client: everything a team's test needs. */
export interface TroupeTestEnvironment {
  /** The Temporal test environment (its client, connection and clock). */
  env: TestWorkflowEnvironment;
  /** The worker's agents call this double of the Messages API, through the real Anthropic SDK. */
  double: MessagesApiDouble;
  /** A client for the teams, on the worker's task queue. */
  troupe: TroupeClient;
  /** Starts a run with a unique workflow id. */
  start(team: string, input: unknown, options?: StartOptions): Promise<RunHandle>;
  /** Waits, in real time, until the run waits for a decision (on `gate`, if given); returns what it waits for. */
  waitForApproval(run: RunHandle, gate?: string, timeoutMs?: number): Promise<AwaitingApproval>;
  /**
   * The run tree's live feed, item by item until the run ends (see RunHandle.stream): `from` an
   * offset to resume, 'now' for what comes next. `feedText(items, path)` reads a member's text from it.
   */
  stream(run: RunHandle | string, options?: StreamOptions): AsyncGenerator<FeedItem>;
  /** Moves the server's clock forward, e.g. sleep('3 days') (instant on the time-skipping server). */
  sleep(duration: string | number): Promise<void>;
  /** Stops the worker, the double and the server. */
  close(): Promise<void>;
}

/**
 * Starts a Temporal server (time-skipping by default), the Messages API double with `script`, and a
 * worker running `teams`, so a test drives its teams through Troupe exactly as production does:
 * real workflows, real activities, the real Anthropic SDK over HTTP.
 */
export async function startTestEnvironment(options: TestEnvironmentOptions): Promise<TroupeTestEnvironment> {
  const teams = options.teams instanceof TeamRegistry ? options.teams : new TeamRegistry(options.teams);
  const kind = options.server ?? 'time-skipping';
  // Encrypted when TROUPE_PAYLOAD_KEY is set, like every Troupe client and worker.
  const client = { dataConverter: payloadDataConverter() };
  const executable = resolveTemporalBinary(kind);
  // Last before the server starts: a runtime that forwards core's logs and never starts anything keeps the process alive.
  quietRuntime(options.logLevel ?? 'WARN');
  const env =
    kind === 'time-skipping'
      ? await TestWorkflowEnvironment.createTimeSkipping({ server: { executable }, client })
      : await TestWorkflowEnvironment.createLocal({
          // The server's own warnings at start (e.g. a generated cluster id) are not the test's.
          server: { executable, log: { format: 'pretty', level: 'error' }, searchAttributes: TROUPE_SEARCH_ATTRIBUTES },
          client,
        });
  let double: MessagesApiDouble | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    double = await startMessagesApiDouble(options.script ?? {}, { tokenDelayMs: options.tokenDelayMs ?? 0 });
    const taskQueue = `troupe-test-${randomUUID().slice(0, 8)}`;
    worker = await createTroupeWorker({
      connection: env.nativeConnection,
      taskQueue,
      teams,
      anthropic: double.client(),
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    });
    running = worker.run();
    const troupe = new TroupeClient(env.client, teams, { taskQueue, searchAttributes: kind === 'dev-server' });
    const started = double;
    const startedWorker = worker;
    return {
      env,
      double: started,
      troupe,
      start: (team, input, startOptions = {}) =>
        troupe.start(team, input, { workflowId: `${team}-${randomUUID().slice(0, 8)}`, ...startOptions }),
      waitForApproval: (run, gate, timeoutMs = 20_000) => waitForApproval(run, gate, timeoutMs),
      stream: (run, streamOptions) => troupe.stream(typeof run === 'string' ? run : run.workflowId, streamOptions),
      sleep: (duration) => env.sleep(duration as Parameters<TestWorkflowEnvironment['sleep']>[0]),
      close: async () => {
        if (startedWorker.getState() === 'RUNNING') startedWorker.shutdown();
        await running?.catch(() => undefined);
        await started.close();
        await env.teardown();
      },
    };
  } catch (error) {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await double?.close();
    await env.teardown();
    throw error;
  }
}

async function waitForApproval(run: RunHandle, gate: string | undefined, timeoutMs: number): Promise<AwaitingApproval> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const awaiting = (await run.progress())?.awaiting;
    if (awaiting && (gate === undefined || awaiting.gate === gate)) return awaiting;
    if (Date.now() > deadline) {
      throw new TestingError(
        'APPROVAL_NOT_REACHED',
        `Run ${run.workflowId} did not wait for ${gate ? `gate "${gate}"` : 'a decision'} within ${timeoutMs} ms.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Installs the process's Temporal runtime with a quieter logger, unless the process installed one
 * (its own, or an earlier environment's): that one keeps its settings. Core's logs go through the
 * same logger.
 */
function quietRuntime(level: LogLevel): void {
  // The options of an install, which the SDK keeps to re-create the runtime after it shut down (it
  // does once no worker, connection or server is left, e.g. between two environments).
  if (Object.keys(Runtime.defaultOptions).length > 0) return;
  try {
    Runtime.install({
      logger: new WithoutTestServerNotice(new DefaultLogger(level)),
      telemetryOptions: { logging: { forward: {}, filter: { core: level, other: 'ERROR' } } },
    });
  } catch {
    // A runtime is running (created by a worker or connection started before): keep its settings.
  }
}

/**
 * Leaves out core's warning that the server did not advertise the capability to keep an activity's
 * heartbeat details when it fails: the time-skipping test server never does, and core says so at
 * each worker's start. Every other line passes.
 */
class WithoutTestServerNotice implements Logger {
  constructor(private readonly inner: Logger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (level === 'WARN' && message.includes('activity_failure_include_heartbeat')) return;
    this.inner.log(level, message, meta);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

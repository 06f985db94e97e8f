import type { Worker, WorkerDeploymentOptions } from '@temporalio/worker';
import { constants } from 'node:os';
import {
  createModelClient,
  createTroupeWorker,
  loadTeamsModule,
  tracingPlugins,
  verifyModelAccess,
  type ModelClient,
  type TeamsModule,
} from '../workers/index.js';
import { defaultTaskQueue, ensureSearchAttributes, openTarget, type TemporalTarget } from '../hosting/index.js';
import type { WorkerLimits } from '../workers/worker-limits.js';
import type { McpReport } from '../workers/mcp-connections.js';
import { workflowCode } from '../workers/workflow-code.js';
import { offlineScriptWarning, requireOfflineScript } from '../workers/offline-script-gaps.js';

export interface StackOptions {
  teams?: string | undefined;
  taskQueue?: string | undefined;
  port?: number | undefined;
  uiPort?: number | undefined;
  /** Run a worker in this process. */
  worker: boolean;
  /** Temporal worker versioning for that worker (`troupe worker --deployment --build-id`). */
  deployment?: WorkerDeploymentOptions | undefined;
  /** That worker's concurrency, rate limits and shutdown grace. */
  limits?: WorkerLimits | undefined;
  /** That worker serves only agent calls (a pool), no workflows. */
  activitiesOnly?: boolean | undefined;
  /** Called once the teams module is loaded, before any server or worker starts: the place to reject bad input. */
  validate?: (teams: TeamsModule) => void;
  /** The team the command runs: offline, every one of its agents must have a scripted reply. */
  runs?: string | undefined;
  /** Where that worker says how its MCP servers are (connected, down, lost, back); default: its log. */
  onMcpStatus?: McpReport | undefined;
  /** Called once Temporal is reachable, before the worker starts: for checks that need the cluster. */
  checkTarget?: ((target: TemporalTarget) => Promise<void>) | undefined;
}

/** What a command runs on: the teams, the model client, a Temporal target, and maybe an in-process worker. */
export interface LocalStack {
  teams: TeamsModule;
  model: ModelClient;
  target: TemporalTarget;
  taskQueue: string;
  /** Whether the cluster has Troupe's search attributes (so runs awaiting approval can be listed). */
  searchAttributes: boolean;
  worker: Worker | undefined;
  /** What that worker runs its workflows from (a prebuilt bundle, or bundled at start); none for a pool of agent calls. */
  workflows: string | undefined;
  /** Settles when the in-process worker stops (Temporal's runtime stops it on Ctrl-C), with the error it stopped on, if any. */
  workerStopped: Promise<unknown> | undefined;
  /** Stops the worker, then the server or connection. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Opens everything in the order that lets bad input fail before anything starts: teams and input,
 * then the model key, then the Temporal cluster (or the embedded server), then the worker.
 */
export async function openLocalStack(options: StackOptions): Promise<LocalStack> {
  const teams = await loadTeamsModule(options.teams);
  options.validate?.(teams);
  const model = offlineChecked(createModelClient(teams.offlineScript), teams, options);
  if (options.worker) await verifyModelAccess(model);
  const target = await openTarget({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.uiPort !== undefined ? { uiPort: options.uiPort } : {}),
  });
  const taskQueue = options.taskQueue ?? defaultTaskQueue();
  const searchAttributes = await ensureSearchAttributes(target.client, target.namespace);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let workflows: string | undefined;
  try {
    await options.checkTarget?.(target);
    if (options.worker) {
      const plugins = await tracingPlugins();
      workflows = options.activitiesOnly
        ? undefined
        : workflowCode({ bundlingPlugins: plugins.length > 0 }).description;
      worker = await createTroupeWorker({
        connection: target.nativeConnection,
        namespace: target.namespace,
        taskQueue,
        teams: teams.registry,
        anthropic: model.anthropic,
        plugins,
        workerDeploymentOptions: options.deployment,
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.activitiesOnly ? { activitiesOnly: true } : {}),
        ...(options.onMcpStatus ? { onMcpStatus: options.onMcpStatus } : {}),
      });
      running = worker.run();
    }
  } catch (error) {
    await target.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await target.close();
  };
  return {
    teams,
    model,
    target,
    taskQueue,
    searchAttributes,
    worker,
    workflows,
    workerStopped: running?.then(
      () => undefined,
      (error: unknown) => error,
    ),
    close: () => (closing ??= shutdown()),
  };
}

/**
 * Resolves with the first Ctrl-C (SIGINT) or SIGTERM, so the command can stop gracefully; from then
 * on a second one stops the process at once (exit 128 + the signal's number, as a shell reports it).
 */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      process.once('SIGINT', atOnce);
      process.once('SIGTERM', atOnce);
      resolve(signal);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}

function atOnce(signal: NodeJS.Signals): void {
  console.error(
    `troupe: ${signal} again: stopping at once. Agent calls still in flight are retried by Temporal on another worker once their heartbeat or start-to-close timeout passes.`,
  );
  process.exit(128 + (constants.signals[signal] ?? 0));
}

/**
 * An offline worker here answers from the teams module's script: a run of a team with unscripted
 * agents is refused before it starts; a worker serving every team says which agents have no reply.
 */
function offlineChecked(model: ModelClient, teams: TeamsModule, options: StackOptions): ModelClient {
  if (model.mode !== 'offline' || !options.worker) return model;
  if (options.runs !== undefined) {
    requireOfflineScript(teams.offlineScript, teams.registry, options.runs);
    return model;
  }
  const gaps = offlineScriptWarning(teams.offlineScript, teams.registry);
  return gaps ? { ...model, description: `${model.description}\n  ${gaps}` } : model;
}

import type { Worker, WorkerDeploymentOptions } from '@temporalio/worker';
import { createModelClient, createTroupeWorker, loadTeamsModule, tracingPlugins, verifyModelAccess, type ModelClient, type TeamsModule } from '../workers/index.js';
import { defaultTaskQueue, ensureSearchAttributes, openTarget, type TemporalTarget } from '../hosting/index.js';

export interface StackOptions {
  teams?: string | undefined;
  taskQueue?: string | undefined;
  port?: number | undefined;
  uiPort?: number | undefined;
  /** Run a worker in this process. */
  worker: boolean;
  /** Temporal worker versioning for that worker (`troupe worker --deployment --build-id`). */
  deployment?: WorkerDeploymentOptions | undefined;
  /** Called once the teams module is loaded, before any server or worker starts: the place to reject bad input. */
  validate?: (teams: TeamsModule) => void;
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
  /** Settles when the in-process worker stops (Temporal's runtime stops it on Ctrl-C). */
  workerStopped: Promise<void> | undefined;
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
  const model = createModelClient(teams.offlineScript);
  if (options.worker) await verifyModelAccess(model);
  const target = await openTarget({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.uiPort !== undefined ? { uiPort: options.uiPort } : {}),
  });
  const taskQueue = options.taskQueue ?? defaultTaskQueue();
  const searchAttributes = await ensureSearchAttributes(target.client, target.namespace);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    await options.checkTarget?.(target);
    if (options.worker) {
      worker = await createTroupeWorker({
        connection: target.nativeConnection,
        namespace: target.namespace,
        taskQueue,
        teams: teams.registry,
        anthropic: model.anthropic,
        plugins: await tracingPlugins(),
        workerDeploymentOptions: options.deployment,
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
    workerStopped: running?.catch(() => undefined),
    close: () => (closing ??= shutdown()),
  };
}

/** Resolves on Ctrl-C (or SIGTERM). */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

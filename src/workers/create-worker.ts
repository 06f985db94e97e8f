import type Anthropic from '@anthropic-ai/sdk';
import { Worker, type NativeConnection, type WorkerPlugin, type WorkflowBundle } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.js';
import type { TeamRegistry } from '../team/index.js';
import { defaultTaskQueue } from '../hosting/task-queue.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface TroupeWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  teams: TeamRegistry;
  anthropic: Anthropic;
  /** A pre-built bundle (tests build one per file); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkflowBundle;
  /** Worker plugins, e.g. tracingPlugins() for OpenTelemetry. */
  plugins?: WorkerPlugin[];
}

/** A worker that runs every topology workflow and the agent activity. */
export function createTroupeWorker(options: TroupeWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? defaultTaskQueue(),
    activities: createActivities({ anthropic: options.anthropic, teams: options.teams }),
    ...(options.plugins?.length ? { plugins: options.plugins } : {}),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}

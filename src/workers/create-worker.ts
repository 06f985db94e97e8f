import Anthropic from '@anthropic-ai/sdk';
import type { DataConverter } from '@temporalio/common';
import {
  NativeConnection,
  Runtime,
  Worker,
  type WorkerDeploymentOptions,
  type WorkerPlugin,
  type WorkflowBundle,
} from '@temporalio/worker';
import { resolve } from 'node:path';
import {
  ANSWER_JOURNAL_MAX_AGE_MS,
  createActivities,
  createFileAnswerJournal,
  createFilePayloadStore,
  type AnswerJournal,
  type PayloadStore,
} from '../activities/index.js';
import { WorkerError } from './errors.js';
import { connectMcpServers, type McpReport } from './mcp-connections.js';
import type { TeamRegistry } from '../team/index.js';
import { defaultTaskQueue } from '../hosting/task-queue.js';
import { workerLimitOptions, type WorkerLimits } from './worker-limits.js';
import { workflowCode } from './workflow-code.js';
import { payloadDataConverter } from '../codec/index.js';

export { WORKFLOWS_PATH } from './workflow-code.js';

/** What {@link createTroupeWorker} takes: a connection, the teams, the Anthropic client, and optional settings. */
export interface TroupeWorkerOptions {
  /** The worker's connection to Temporal (`connectFromEnv()` from `troupe/worker` gives one). */
  connection: NativeConnection;
  /** The namespace; default `default`. */
  namespace?: string;
  /** The task queue; default `TROUPE_TASK_QUEUE`, else `troupe`. */
  taskQueue?: string;
  /** The teams this worker runs: the same module as the clients that start runs. */
  teams: TeamRegistry;
  /** The client agents call the model with (`createModelClient`). */
  anthropic: Anthropic;
  /**
   * A pre-built bundle (tests build one per file); otherwise the prebuilt one or the workflows bundled
   * at start. With payload encryption, build it with `failureConverterPath: payloadDataConverter().failureConverterPath`
   * so workflow failures keep their messages encrypted too.
   */
  workflowBundle?: WorkflowBundle;
  /** Where tool loops keep conversations and large tool results (claim checks); default: files under $TROUPE_HOME/payloads, encrypted as payloads are. */
  payloads?: PayloadStore;
  /** Worker plugins, e.g. tracingPlugins() for OpenTelemetry. */
  plugins?: WorkerPlugin[];
  /** Concurrency, rate limits and the shutdown grace period (see WorkerLimits). */
  limits?: WorkerLimits;
  /** Serve only agent calls (a pool for agents that name this task queue), no workflows. */
  activitiesOnly?: boolean;
  /** Temporal worker versioning: the deployment version this worker serves and how its runs move between versions. */
  workerDeploymentOptions?: WorkerDeploymentOptions | undefined;
  /**
   * Where paid model answers are journaled, so a retried attempt reuses its predecessor's answer
   * instead of paying again; default: files under $TROUPE_HOME/journal, encrypted as payloads are. Workers on several
   * machines need a shared journal (or a shared volume).
   */
  answers?: AnswerJournal;
  /** Where the worker says how its MCP servers are (connected, down, lost, back); default: the SDK's logger. */
  onMcpStatus?: McpReport;
  /** How payloads are encoded; default: encrypted when TROUPE_PAYLOAD_KEY is set (payloadDataConverter), as clients read them. */
  dataConverter?: DataConverter;
}

/** A worker that runs every topology workflow and the agent activity. */
export async function createTroupeWorker(options: TroupeWorkerOptions): Promise<Worker> {
  ensureOneCopy(options);
  const mcp = await connectMcpServers(
    options.teams,
    options.onMcpStatus ?? ((line, level) => void Runtime.instance().logger[level](line)),
  );
  const dataConverter = options.dataConverter ?? payloadDataConverter();
  // What workers keep on their own disks is encoded as their payloads are: encrypted when those are.
  const files = { codecs: dataConverter.payloadCodecs };
  const home = process.env['TROUPE_HOME'] || '.troupe';
  const answers = options.answers ?? createFileAnswerJournal(resolve(home, 'journal'), files);
  // Old answers belong to calls long finished: drop them, in the background, so the journal does not grow forever.
  void answers.prune?.(new Date(Date.now() - ANSWER_JOURNAL_MAX_AGE_MS)).catch(() => undefined);
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? defaultTaskQueue(),
    activities: createActivities({
      anthropic: options.anthropic,
      teams: options.teams,
      payloads: options.payloads ?? createFilePayloadStore(resolve(home, 'payloads'), files),
      mcp,
      answers,
    }),
    ...(options.plugins?.length ? { plugins: options.plugins } : {}),
    ...(options.workerDeploymentOptions ? { workerDeploymentOptions: options.workerDeploymentOptions } : {}),
    ...workerLimitOptions(options.limits),
    dataConverter,
    ...(options.activitiesOnly
      ? {}
      : workflowCode({
          workflowBundle: options.workflowBundle,
          bundlingPlugins: !!options.plugins?.length,
          dataConverter,
        }).option),
  }).catch(async (error: unknown) => {
    await mcp.close();
    throw error;
  });
  // The MCP connections live as long as the worker runs: close them when it stops, however it stops.
  const run = worker.run.bind(worker);
  worker.run = async () => {
    try {
      await run();
    } finally {
      await mcp.close();
    }
  };
  return worker;
}

/**
 * Two copies of an SDK in one project (Troupe's and the project's own) break `instanceof`: SDK errors
 * would go unclassified and connections unrecognised. Say so at once rather than fail oddly later.
 */
function ensureOneCopy(options: TroupeWorkerOptions): void {
  const copies: [string, boolean][] = [
    ['@anthropic-ai/sdk', options.anthropic instanceof Anthropic],
    ['@temporalio/worker', options.connection instanceof NativeConnection],
  ];
  const duplicated = copies.filter(([, same]) => !same).map(([name]) => name);
  if (duplicated.length) {
    throw new WorkerError(
      'DUPLICATE_SDK',
      `The ${duplicated.join(' and ')} objects given to createTroupeWorker come from another copy of ${duplicated.length > 1 ? 'those packages' : 'that package'} than the one Troupe uses. Install one version (they are peer dependencies of troupe): npm ls ${duplicated.join(' ')}, then npm dedupe or align the versions.`,
    );
  }
}

import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach } from 'vitest';
import type { Worker, WorkflowBundle } from '@temporalio/worker';
import type { MessagesScript } from '../../src/activities/index.js';
import { TroupeClient, type RunHandle, type RunResult, type StartOptions } from '../../src/client/index.js';
import type { Prices } from '../../src/protocol/index.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { registry } from './budget-teams.js';
import { uniqueId } from './temporal.js';

/** A run of a team from budget-teams.ts with its own worker and Messages API double; `stop` ends both. */
export interface StartedRun {
  run: RunHandle;
  troupe: TroupeClient;
  double: MessagesApiDouble;
  stop: () => Promise<void>;
}

export async function startRun(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundle,
  team: string,
  script: MessagesScript,
  options: StartOptions & { prices?: Prices } = {},
): Promise<StartedRun> {
  const double = await startMessagesApiDouble(script);
  const taskQueue = uniqueId('tq');
  const worker: Worker = await createTroupeWorker({
    connection: env.nativeConnection,
    taskQueue,
    teams: registry,
    anthropic: double.client(),
    workflowBundle: bundle,
  });
  const running = worker.run();
  const { prices, ...start } = options;
  const troupe = new TroupeClient(env.client, registry, { taskQueue, ...(prices ? { prices } : {}) });
  const stop = async () => {
    worker.shutdown();
    await running;
    await double.close();
  };
  try {
    const run = await troupe.start(team, 'Write the note.', { workflowId: uniqueId(team), ...start });
    return { run, troupe, double, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

type StartArgs = Parameters<typeof startRun> extends [unknown, unknown, ...infer Rest] ? Rest : never;

/**
 * Runs a test file starts on its Temporal environment, each stopped (worker and double) after its
 * test: `const { start, result } = startedRuns(temporal)`.
 */
export function startedRuns(temporal: { env: TestWorkflowEnvironment; bundle: WorkflowBundle }): {
  start: (...args: StartArgs) => Promise<StartedRun>;
  result: (s: StartedRun) => Promise<RunResult>;
} {
  const started: StartedRun[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await s.stop();
  });
  return {
    async start(...args) {
      const s = await startRun(temporal.env, temporal.bundle, ...args);
      started.push(s);
      return s;
    },
    // The chain's latest run: the start handle may follow an early run of a continued chain.
    result: (s) => s.troupe.run(s.run.workflowId).result(),
  };
}

/** Waits (in real time) until the run waits on `gate`. */
export async function waitingAt(run: RunHandle, gate: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await run.progress())?.awaiting?.gate !== gate) {
    if (Date.now() > deadline) throw new Error(`run never waited on gate ${gate}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

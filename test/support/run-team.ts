import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import type { MessagesScript } from '../../src/activities/index.js';
import { describeFailure, type RunFailure } from '../../src/client/failure.js';
import { TroupeClient } from '../../src/client/troupe-client.js';
import type { RunResult } from '../../src/protocol/messages.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { registry } from './teams.js';
import { uniqueId } from './temporal.js';

export type TeamOutcome = { double: MessagesApiDouble; workflowId: string } & (
  { ok: true; result: RunResult } | { ok: false; failure: RunFailure }
);

/**
 * Runs a test team end to end: a real worker (real activities, the real Anthropic SDK over HTTP to
 * the Messages API double) on the given Temporal environment, started through the client API.
 */
export async function runTeam(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundle,
  team: string,
  input: unknown,
  script: MessagesScript,
): Promise<TeamOutcome> {
  const double = await startMessagesApiDouble(script);
  const taskQueue = uniqueId('tq');
  try {
    const worker = await createTroupeWorker({
      connection: env.nativeConnection,
      taskQueue,
      teams: registry,
      anthropic: double.client(),
      workflowBundle,
    });
    const troupe = new TroupeClient(env.client, registry, { taskQueue });
    return await worker.runUntil(async () => {
      const run = await troupe.start(team, input, { workflowId: uniqueId(team) });
      const { workflowId } = run;
      return run.result().then(
        (result) => ({ ok: true as const, result, double, workflowId }),
        (error: unknown) => ({ ok: false as const, failure: describeFailure(error), double, workflowId }),
      );
    });
  } finally {
    await double.close();
  }
}

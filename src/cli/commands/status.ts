import { WorkflowNotFoundError } from '@temporalio/client';
import { CliError } from '../errors.js';
import { describeFailure } from '../../client/failure.js';
import { formatEnvelope, formatResult, formatUsage } from '../render.js';
import { TroupeClient } from '../../client/troupe-client.js';
import { connectForCommand } from '../connect.js';

/** `troupe status <workflowId>`: where a run stands, its handoffs so far, and its result or failure. */
export async function statusCommand(workflowId: string, options: { json?: boolean; teams?: string }): Promise<number> {
  const target = await connectForCommand();
  try {
    const run = new TroupeClient(target.client, undefined).run(workflowId);
    const status = await run.status().catch((error: unknown) => {
      if (error instanceof WorkflowNotFoundError) {
        throw new CliError(
          'RUN_NOT_FOUND',
          `No run "${workflowId}" in namespace "${target.namespace}" at ${target.address}: check the workflow id (\`troupe run\` prints it).`,
        );
      }
      throw error;
    });
    const outcome =
      status.status === 'RUNNING'
        ? undefined
        : await run.result().then(
            (result) => ({ result }),
            (error: unknown) => ({ failure: describeFailure(error) }),
          );
    if (options.json) {
      console.log(JSON.stringify({ ...status, ...outcome }, null, 2));
      return 0;
    }
    console.log(
      `${status.workflowId}: ${status.status}${status.team ? ` (team ${status.team})` : ''}, started ${status.startTime.toISOString()}`,
    );
    if (status.progress) {
      console.log(`Now: ${status.progress.activity}`);
      const a = status.progress.awaiting;
      if (a)
        console.log(
          `Awaiting approval: gate "${a.gate}" by ${a.approvers.join(', ')} until ${a.deadline}: \`troupe approve ${workflowId} --by <who>\``,
        );
      for (const envelope of status.progress.envelopes) console.log(formatEnvelope(envelope));
      console.log(formatUsage(status.progress.usage, status.progress.agentCalls, status.progress.costUsd));
    }
    const state = status.progress?.state ?? (outcome && 'result' in outcome ? outcome.result.state : null);
    if (state !== null && state !== undefined)
      console.log(`Shared state (${status.progress?.topology ?? 'topology'}):\n${JSON.stringify(state, null, 2)}`);
    // Only a query that got no answer says so: a pipeline's progress comes back with no shared state (null).
    if (status.progressError === 'no-worker')
      console.log('No worker answered the progress query: start one with `troupe worker`.');
    else if (status.progressError) console.log(`The progress query failed: ${status.progressError}`);
    if (outcome && 'failure' in outcome)
      console.log(`Failed${outcome.failure.type ? ` (${outcome.failure.type})` : ''}: ${outcome.failure.message}`);
    if (outcome && 'result' in outcome) {
      for (const envelope of outcome.result.transcript) console.log(formatEnvelope(envelope));
      console.log(formatResult(outcome.result));
    }
    return 0;
  } finally {
    await target.close();
  }
}

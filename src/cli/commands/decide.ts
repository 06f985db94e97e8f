import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApprovalDecisionSchema, TeamSpecError, TroupeError, type DecisionKind } from '../../team/index.js';
import { TroupeClient } from '../../client/troupe-client.js';
import { connectForCommand } from '../connect.js';

export interface DecideOptions {
  by: string;
  gate?: string;
  comment?: string;
  /** Send as a signal: returns at once, without learning whether the run accepted it. */
  signal?: boolean;
  teams?: string;
}

const PAST: Record<DecisionKind, string> = { approve: 'Approved', reject: 'Rejected', 'request-changes': 'Requested changes on' };

/** `troupe approve | reject | request-changes <workflowId>`: decides the approval a run waits for. */
export async function decideCommand(decision: DecisionKind, workflowId: string, options: DecideOptions): Promise<number> {
  const parsed = ApprovalDecisionSchema.safeParse({ decision, by: options.by, ...(options.gate ? { gate: options.gate } : {}), ...(options.comment ? { comment: options.comment } : {}) });
  if (!parsed.success) throw new TeamSpecError('The decision', parsed.error.issues);
  const target = await connectForCommand();
  try {
    const run = new TroupeClient(target.client, undefined).run(workflowId);
    const notFound = (error: unknown): never => {
      if (error instanceof WorkflowNotFoundError) {
        throw new TroupeError('RUN_NOT_FOUND', `No running run "${workflowId}" in namespace "${target.namespace}" at ${target.address}: \`troupe pending\` lists the runs awaiting a decision.`);
      }
      throw error;
    };
    if (options.signal) {
      await run.signalDecision(parsed.data).catch(notFound);
      console.log(`Sent "${decision}" by ${parsed.data.by} to ${workflowId} as a signal; \`troupe status ${workflowId}\` shows whether it applied.`);
      return 0;
    }
    const receipt = await run.decide(parsed.data).catch((error: unknown) => {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new TroupeError('DECISION_REFUSED', `Run ${workflowId} refused the decision: ${error.cause?.message ?? error.message}`);
      }
      return notFound(error);
    });
    console.log(`${PAST[decision]} gate "${receipt.gate}" of ${workflowId} (by ${receipt.by}).`);
    return 0;
  } finally {
    await target.close();
  }
}

import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  ApprovalDecisionSchema,
  TeamSpecError,
  type ApprovalDecision,
  type BudgetRaise,
  type DecisionKind,
} from '../../team/index.js';
import { TroupeClient, type RunHandle } from '../../client/troupe-client.js';
import { DECISION_SECRET_ENV, signDecision } from '../../client/sign-decision.js';
import { ClientError } from '../../client/errors.js';
import { CliError } from '../errors.js';
import { connectForCommand } from '../connect.js';

export interface DecideOptions {
  by: string;
  gate?: string;
  comment?: string;
  /** Send as a signal: returns at once, without learning whether the run accepted it. */
  signal?: boolean;
  teams?: string;
  /** For the "budget" gate: the new caps. */
  raise?: BudgetRaise;
}

const PAST: Record<DecisionKind, string> = {
  approve: 'Approved',
  reject: 'Rejected',
  'request-changes': 'Requested changes on',
};

/** `troupe approve | reject | request-changes <workflowId>`: decides the approval a run waits for. */
export async function decideCommand(
  decision: DecisionKind,
  workflowId: string,
  options: DecideOptions,
): Promise<number> {
  const parsed = ApprovalDecisionSchema.safeParse({
    decision,
    by: options.by,
    ...(options.gate ? { gate: options.gate } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
    ...(options.raise ? { raise: options.raise } : {}),
  });
  if (!parsed.success) throw new TeamSpecError('The decision', parsed.error.issues);
  const target = await connectForCommand();
  try {
    const run = new TroupeClient(target.client, undefined).run(workflowId);
    const notFound = (error: unknown): never => {
      if (error instanceof WorkflowNotFoundError) {
        throw new CliError(
          'RUN_NOT_FOUND',
          `No running run "${workflowId}" in namespace "${target.namespace}" at ${target.address}: \`troupe pending\` lists the runs awaiting a decision.`,
        );
      }
      throw error;
    };
    const secret = process.env[DECISION_SECRET_ENV];
    const sent = secret ? await signed(run, secret, parsed.data).catch(notFound) : parsed.data;
    if (options.signal) {
      await run.signalDecision(sent).catch(notFound);
      console.log(
        `Sent "${decision}" by ${parsed.data.by} to ${workflowId} as a signal; \`troupe status ${workflowId}\` shows whether it applied.`,
      );
      return 0;
    }
    const receipt = await run.decide(sent).catch((error: unknown) => {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new ClientError(
          'DECISION_REFUSED',
          `Run ${workflowId} refused the decision: ${error.cause?.message ?? error.message}`,
        );
      }
      return notFound(error);
    });
    console.log(`${PAST[decision]} gate "${receipt.gate}" of ${workflowId} (by ${receipt.by}).`);
    return 0;
  } finally {
    await target.close();
  }
}

/** With TROUPE_DECISION_SECRET set, decisions go signed (for gates with `signed: true`); the signature names the gate, so find the one waiting. */
async function signed(run: RunHandle, secret: string, decision: ApprovalDecision): Promise<ApprovalDecision> {
  const gate = decision.gate ?? (await run.progress())?.awaiting?.gate;
  if (gate === undefined) {
    // Describing the run first turns a wrong id into RUN_NOT_FOUND rather than this message.
    await run.handle.describe();
    throw new ClientError(
      'DECISION_REFUSED',
      `Run ${run.workflowId} is not waiting for a decision now (or no worker answered): name the gate with --gate to sign the decision.`,
    );
  }
  return signDecision(secret, run.workflowId, { ...decision, gate });
}

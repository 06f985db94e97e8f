import { timingSafeEqual } from 'node:crypto';
import { DECISION_SECRET_ENV, decisionHmac } from '../codec/index.js';
import type { ApprovalDecision } from '../team/index.js';

export interface VerifyDecisionInput {
  workflowId: string;
  gate: string;
  decision: ApprovalDecision;
}

/** A signed decision's check: why it is refused, or nothing when the signature holds. */
export type DecisionVerdict = { valid: true } | { valid: false; reason: string };

/**
 * Checks a signed decision on the worker (workflow code cannot use node:crypto), with the secret
 * from the worker's environment. Runs as a local activity: its verdict is recorded in history, so
 * a replay applies the same verdict whatever the secret is then.
 */
export function createVerifyDecision() {
  return function verifyDecision(input: VerifyDecisionInput): Promise<DecisionVerdict> {
    return Promise.resolve(check(input));
  };
}

function check({ workflowId, gate, decision }: VerifyDecisionInput): DecisionVerdict {
  const secret = process.env[DECISION_SECRET_ENV];
  if (!secret)
    return {
      valid: false,
      reason: `gate "${gate}" takes signed decisions, and this worker has no ${DECISION_SECRET_ENV} to check them with: set it on the worker`,
    };
  if (!decision.signature)
    return {
      valid: false,
      reason: `gate "${gate}" takes signed decisions only: sign it (signDecision, or troupe decide with ${DECISION_SECRET_ENV} set)`,
    };
  const expected = Buffer.from(decisionHmac(secret, workflowId, gate, decision), 'hex');
  const given = Buffer.from(decision.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return {
      valid: false,
      reason: `the signature does not match the decision on gate "${gate}" of ${workflowId}: refused as forged`,
    };
  return { valid: true };
}

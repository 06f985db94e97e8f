import { createHmac } from 'node:crypto';
import type { ApprovalDecision } from '../team/index.js';

/** The secret that signs decisions (`troupe decide`, signDecision) and that workers check them with. */
export const DECISION_SECRET_ENV = 'TROUPE_DECISION_SECRET';

/**
 * What a signed decision's HMAC covers: the run, the gate and every field of the decision except
 * the signature, in a fixed order, so a signature cannot be used on another workflow id or gate.
 */
export function decisionSigningText(
  workflowId: string,
  gate: string,
  decision: Omit<ApprovalDecision, 'gate' | 'signature'>,
): string {
  const raise = decision.raise ? Object.entries(decision.raise).sort(([a], [b]) => a.localeCompare(b)) : null;
  return JSON.stringify([
    'troupe-decision-v1',
    workflowId,
    gate,
    decision.by,
    decision.decision,
    decision.comment,
    raise,
  ]);
}

/** A signed decision's signature: HMAC-SHA256 (hex) of its signing text, computed alike by senders and workers. */
export function decisionHmac(
  secret: string,
  workflowId: string,
  gate: string,
  decision: Omit<ApprovalDecision, 'gate' | 'signature'>,
): string {
  return createHmac('sha256', secret)
    .update(decisionSigningText(workflowId, gate, decision))
    .digest('hex');
}

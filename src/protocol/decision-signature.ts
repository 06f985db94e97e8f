import type { ApprovalDecision } from '../team/index.js';

/**
 * What a signed decision's HMAC covers: the run, the gate and every field of the decision except
 * the signature, in a fixed order, so a signature cannot be replayed on another run or gate.
 */
export function decisionSigningText(workflowId: string, gate: string, decision: Omit<ApprovalDecision, 'gate' | 'signature'>): string {
  const raise = decision.raise ? Object.entries(decision.raise).sort(([a], [b]) => a.localeCompare(b)) : null;
  return JSON.stringify(['troupe-decision-v1', workflowId, gate, decision.by, decision.decision, decision.comment, raise]);
}

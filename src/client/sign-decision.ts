import {
  ApprovalDecisionSchema,
  TeamSpecError,
  type ApprovalDecision,
  type ApprovalDecisionInput,
} from '../team/index.js';
import { ClientError } from './errors.js';
import { DECISION_SECRET_ENV, decisionHmac } from '../codec/index.js';

export { DECISION_SECRET_ENV };

/**
 * Signs a decision for a gate with `signed: true`: HMAC-SHA256 (hex) over the run's workflow id,
 * the gate and the decision, with the secret the run's workers hold in TROUPE_DECISION_SECRET.
 * Name the gate: the signature covers it, so it cannot be used on another gate or workflow id.
 */
export function signDecision(
  secret: string,
  workflowId: string,
  decision: ApprovalDecisionInput & { gate: string },
): ApprovalDecision {
  if (!secret)
    throw new ClientError(
      'DECISION_REFUSED',
      `No secret to sign the decision with: set ${DECISION_SECRET_ENV} to the secret the workers hold.`,
    );
  const parsed = ApprovalDecisionSchema.safeParse(decision);
  if (!parsed.success) throw new TeamSpecError('The decision', parsed.error.issues);
  const { signature: _ignored, gate, ...signed } = parsed.data;
  const signature = decisionHmac(secret, workflowId, decision.gate, signed);
  return { ...signed, gate: gate ?? decision.gate, signature };
}

import { z } from 'zod';
import { NameSchema } from './names.js';
import { BudgetRaiseSchema } from './budget-raise.js';

// Apart from the gate's spec (approval.ts): workflows import the decision to check what arrives,
// and a workflow evaluates its modules afresh for every run, so the spec's schema would cost every run.

/** What a person decides at a gate: approve, reject, or send the work back with changes requested. */
export const DecisionKindSchema = z.enum(['approve', 'reject', 'request-changes']);

/**
 * A decision on a gate, as a run receives it by update or signal: who decided what, with a comment, and for a
 * signed gate its signature. `troupe approve` and `RunHandle.decide` send one.
 */
export const ApprovalDecisionSchema = z
  .object({
    /** The gate decided; defaults to the one waiting. */
    gate: NameSchema.optional(),
    by: z.string().trim().min(1, 'say who decides (--by)'),
    decision: DecisionKindSchema,
    comment: z.string().default(''),
    /** For a gate with `signed: true`: HMAC-SHA256 of the decision (see signDecision in troupe/client). */
    signature: z.string().min(1).optional(),
    /** For the "budget" gate of a run that asks when its budget runs out: the new caps. */
    raise: BudgetRaiseSchema.optional(),
  })
  .strict();

/** A decision on a gate as parsed, defaults filled in ({@link ApprovalDecisionSchema}). */
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;
/** A decision on a gate as a caller writes it (`comment` may be left out). */
export type ApprovalDecisionInput = z.input<typeof ApprovalDecisionSchema>;
/** `approve`, `reject` or `request-changes`. */
export type DecisionKind = z.infer<typeof DecisionKindSchema>;

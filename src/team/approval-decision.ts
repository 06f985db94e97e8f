import { z } from 'zod';
import { NameSchema } from './names.js';
import { BudgetRaiseSchema } from './budget-raise.js';

// Apart from the gate's spec (approval.ts): workflows import the decision to check what arrives,
// and a workflow evaluates its modules afresh for every run, so the spec's schema would cost every run.

export const DecisionKindSchema = z.enum(['approve', 'reject', 'request-changes']);

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

export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;
export type ApprovalDecisionInput = z.input<typeof ApprovalDecisionSchema>;
export type DecisionKind = z.infer<typeof DecisionKindSchema>;

import { z } from 'zod';
import { DurationSchema } from './duration.js';

// Apart from the budget's spec (budget.ts): workflows import the raise to check decisions, and a
// workflow evaluates its modules afresh for every run, so the spec's schema would cost every run.

/** The caps of a budget, and of a raise of one. */
export const Caps = {
  /** Model calls (agent calls and tool-loop turns), sub-teams included. */
  calls: z.number().int().positive().optional(),
  /** Input plus output tokens, cache reads and writes included. */
  tokens: z.number().int().positive().optional(),
  /** Estimated cost in USD, from the prices the run was started with (TROUPE_PRICES). */
  usd: z.number().positive().optional(),
  /** Wall-clock time since the run first started (workflow time), e.g. '30m'. */
  time: DurationSchema.optional(),
};

/** A person's raise of an exhausted budget: the new caps (each above the current one). */
export const BudgetRaiseSchema = z
  .object(Caps)
  .strict()
  .refine((raise) => Object.keys(raise).length > 0, {
    message: 'name at least one new cap: calls, tokens, usd or time',
  });

export { BUDGET_GATE } from './budget-gate.js';

/** The new caps of a budget raise ({@link BudgetRaiseSchema}). */
export type BudgetRaise = z.infer<typeof BudgetRaiseSchema>;

import { z } from 'zod';
import { DurationSchema } from './duration.js';
import { Caps } from './budget-raise.js';

/**
 * A run's budget: tokens, estimated USD (needs prices), wall-clock time since the run's first start
 * and model calls, across the run's whole tree of sub-teams and carried across continue-as-new.
 * Exact: a model call starts only if its worst case fits what is left, and a call still running at
 * the time cap is stopped there. On exhaustion the run stops with a flagged partial result, or
 * (`onExhausted: 'ask'`) waits for a person to raise it.
 */
export const BudgetSpecSchema = z
  .object({
    ...Caps,
    /** Once this share of any cap is spent, agents with a `cheaperModel` switch to it (e.g. 0.8). */
    lowAt: z.number().gt(0).lt(1).optional(),
    /** stop: end with a flagged partial result; ask: wait at the "budget" gate for a person to raise it. */
    onExhausted: z.enum(['stop', 'ask']).default('stop'),
    /** Who may raise the budget when it asks; "*" lets anyone. */
    approvers: z.array(z.string().min(1)).optional(),
    /** How long the run waits for a raise before it stops with its partial result. */
    askTimeout: DurationSchema.default(86_400_000),
  })
  .strict()
  .superRefine((budget, ctx) => {
    if ([budget.calls, budget.tokens, budget.usd, budget.time].every((cap) => cap === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a budget needs at least one cap: calls, tokens, usd or time' });
    }
    if (budget.onExhausted === 'ask' && !budget.approvers?.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['approvers'],
        message: 'onExhausted: "ask" needs approvers: who may raise the budget ("*" for anyone)',
      });
    }
  });

export { BUDGET_GATE, BudgetRaiseSchema, type BudgetRaise } from './budget-raise.js';

/** A budget as parsed, defaults filled in ({@link BudgetSpecSchema}). */
export type BudgetSpec = z.infer<typeof BudgetSpecSchema>;
/** A budget as a team or a run's start options write it (`defineTeam({ budget })`, `StartOptions.budget`). */
export type BudgetSpecInput = z.input<typeof BudgetSpecSchema>;

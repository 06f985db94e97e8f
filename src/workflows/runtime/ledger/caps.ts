import type { BudgetSpec } from '../../../team/budget.js';

/** Caps on what may still be spent; `deadline` is an epoch time in ms. Undefined: no cap. */
export interface Caps {
  calls?: number | undefined;
  tokens?: number | undefined;
  usd?: number | undefined;
  deadline?: number | undefined;
}

/** A budget's caps; its time cap counts from when the chain started. */
export function budgetCaps(budget: BudgetSpec | undefined, startedAt: number): Caps {
  if (!budget) return {};
  return {
    calls: budget.calls,
    tokens: budget.tokens,
    usd: budget.usd,
    deadline: budget.time === undefined ? undefined : startedAt + budget.time,
  };
}

/** The tighter of two sets of caps, cap by cap. */
export function tighter(a: Caps, b: Caps): Caps {
  return {
    calls: lower(a.calls, b.calls),
    tokens: lower(a.tokens, b.tokens),
    usd: lower(a.usd, b.usd),
    deadline: lower(a.deadline, b.deadline),
  };
}

/** The lower of two caps, either of which may be absent. */
export function lower(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

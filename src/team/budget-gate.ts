/** The gate a run with `onExhausted: 'ask'` waits at for a raise. Apart from budget-raise.ts: workflows use the name, and zod there would cost every run. */
export const BUDGET_GATE = 'budget';

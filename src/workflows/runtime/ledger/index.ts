// The ledger's core: plain code, no Temporal. The workflow's adapter gives it the clock and the
// patches (LedgerEnv), and does the waiting and the asking.
export type { Allowance, Spent } from './allowance.js';
export { withBudgetModel } from './cheaper-model.js';
export type { LedgerEnv } from './env.js';
export { LedgerMiscount } from './in-flight.js';
export { Ledger, type LedgerRun } from './ledger.js';
export type { Room } from './room.js';

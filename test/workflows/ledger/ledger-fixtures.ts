import { BudgetSpecSchema, type BudgetSpecInput } from '../../../src/team/budget.js';
import type { Carry, Prices, RunSpec } from '../../../src/protocol/run-spec.js';
import type { Usage } from '../../../src/protocol/usage.js';
import type { CallNeed } from '../../../src/workflows/runtime/call-bounds.js';
import type { PatchId } from '../../../src/workflows/runtime/patches.js';
import { Ledger, type LedgerRun } from '../../../src/workflows/runtime/ledger/index.js';

/** When the runs in these tests start (epoch ms). */
export const T0 = 1_800_000_000_000;

/** The patches the ledger asks about: a new run takes every one of them. */
export const LEDGER_PATCHES = [
  'troupe-exact-budget',
  'troupe-exact-caps',
  'troupe-timed-out-calls-spent',
  'troupe-time-cap-cut-calls',
] as const satisfies PatchId[];

export interface LedgerSetup {
  /** The team's fixed limits. */
  limits?: { maxAgentCalls?: number; maxTokens?: number };
  /** The team's own budget (parsed as a team gives it, defaults included). */
  budget?: BudgetSpecInput;
  /** A budget given at start, in place of the team's. */
  runBudget?: BudgetSpecInput;
  /** A parent's allowance. */
  handed?: RunSpec['budget'];
  prices?: Prices;
  carry?: Carry;
  /** Patches the run did not take (a run recorded before them); every other is taken. */
  unpatched?: PatchId[];
}

/** A ledger on a clock the test moves, with every patch question it asks, in order. */
export function ledgerOf(setup: LedgerSetup = {}) {
  const clock = { now: T0 };
  const asked: PatchId[] = [];
  const run: LedgerRun = {
    team: { limits: setup.limits ?? {}, ...(setup.budget ? { budget: BudgetSpecSchema.parse(setup.budget) } : {}) },
    prices: setup.prices ?? {},
    ...(setup.handed ? { budget: setup.handed } : {}),
    ...(setup.runBudget ? { runBudget: BudgetSpecSchema.parse(setup.runBudget) } : {}),
    ...(setup.carry ? { carry: setup.carry } : {}),
  };
  const ledger = new Ledger(run, {
    now: () => clock.now,
    isPatched: (id) => {
      asked.push(id);
      return !setup.unpatched?.includes(id);
    },
  });
  return { ledger, clock, asked };
}

export function usage(inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0): Usage {
  return { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens };
}

export function need(inputTokens: number, outputTokens: number, models = ['m1']): CallNeed {
  return { inputTokens, outputTokens, models };
}

/** USD per million tokens: m1 at 3 in / 15 out, m2 at 1 / 5, m3 has no price. */
export const PRICES: Prices = { m1: { input: 3, output: 15 }, m2: { input: 1, output: 5 } };

/** A room, or the test fails with the limit. */
export function expectRoom(room: ReturnType<Ledger['ensureRoom']>): void {
  if (room.kind !== 'room') throw new Error(`expected room, got ${room.reason} (own: ${room.own})`);
}

/** Makes a model call to completion: room, then its charge. */
export function call(ledger: Ledger, spent: Usage = usage(100, 50), model = 'm1', weighed?: CallNeed): void {
  expectRoom(ledger.ensureRoom(weighed));
  ledger.charge(spent, { model, need: weighed });
}

import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/workflows/runtime/ledger/index.js';
import { PRICES, T0, call, expectRoom, ledgerOf, need, usage } from './ledger-fixtures.js';

// A sub-team is handed an allowance (held whole while it works) and settled with what it spent:
// its result, or the report a failing one signals, or nothing, when its whole allowance stays spent.
describe('ledger: sub-teams', () => {
  it('is handed what is left of every cap, held until settled with what it spent', () => {
    const { ledger } = ledgerOf({ budget: { calls: 10, tokens: 10_000, usd: 0.05, time: 60_000 }, prices: PRICES });
    call(ledger, usage(1_000, 200)); // $0.006
    expectRoom(ledger.ensureRoom(false));
    const allowance = ledger.handDown();
    expect(allowance).toEqual({
      agentCalls: 9,
      tokens: 8_800,
      costUsd: expect.closeTo(0.044, 12) as number,
      deadline: T0 + 60_000,
    });
    expect(ledger.outstanding).toBe(1);
    // While it works, its allowance is spoken for.
    expect(ledger.ensureRoom()).toMatchObject({ kind: 'limit', reason: 'maxAgentCalls' });
    expect(ledger.ensureRoom(need(1, 1))).toMatchObject({ kind: 'limit' });
    ledger.settle(allowance, { usage: usage(2_000, 500), calls: 3, costUsd: 0.01 });
    expect([ledger.agentCalls, ledger.tokens, ledger.outstanding]).toEqual([4, 3_700, 0]);
    expect(ledger.costUsd).toBeCloseTo(0.016, 12);
    expectRoom(ledger.ensureRoom(false));
    expect(ledger.handDown()).toMatchObject({ agentCalls: 6, tokens: 6_300 });
  });

  it('is handed the tighter of the team’s limits (with a parent’s allowance) and the run’s own budget, cap by cap', () => {
    const own = ledgerOf({
      limits: { maxAgentCalls: 20, maxTokens: 9_000 },
      handed: { costUsd: 0.5 },
      budget: { calls: 5, tokens: 3_000, usd: 0.02 },
      prices: PRICES,
    }).ledger;
    expect(own.handDown()).toEqual({ agentCalls: 5, tokens: 3_000, costUsd: 0.02 });
    const fixed = ledgerOf({
      limits: { maxAgentCalls: 2, maxTokens: 1_000 },
      handed: { costUsd: 0.01 },
      budget: { calls: 5, tokens: 3_000, usd: 0.02 },
      prices: PRICES,
    }).ledger;
    expect(fixed.handDown()).toEqual({ agentCalls: 2, tokens: 1_000, costUsd: 0.01 });
  });

  it('a sub-team that could not report may have spent its whole allowance: it stays spent', () => {
    const { ledger } = ledgerOf({ budget: { calls: 10, tokens: 10_000 } });
    expectRoom(ledger.ensureRoom(false));
    const allowance = ledger.handDown();
    ledger.settle(allowance, undefined);
    expect([ledger.agentCalls, ledger.tokens]).toEqual([0, 0]);
    expect(ledger.carry()).toMatchObject({ lostCalls: 10, lostTokens: 10_000 });
    expect(ledger.ensureRoom()).toMatchObject({ kind: 'limit', reason: 'maxAgentCalls' });
    expect(ledger.spent().lost).toEqual({ calls: 10, tokens: 10_000, usd: 0 });
  });

  it('before troupe-exact-caps its tokens were not held, so not lost; before troupe-exact-budget neither were its calls', () => {
    const before = ledgerOf({ budget: { calls: 10, tokens: 10_000 }, unpatched: ['troupe-exact-caps'] }).ledger;
    expectRoom(before.ensureRoom(false));
    before.settle(before.handDown(), undefined);
    expect(before.carry()).toEqual({
      startedAt: T0,
      current: expect.anything() as unknown,
      lostCalls: 10,
      lowNoted: false,
    });
    const older = ledgerOf({
      budget: { calls: 10, tokens: 10_000 },
      unpatched: ['troupe-exact-caps', 'troupe-exact-budget'],
    }).ledger;
    expectRoom(older.ensureRoom(false));
    older.settle(older.handDown(), undefined);
    expect(older.carry().lostCalls).toBe(0);
    expectRoom(older.ensureRoom());
  });

  it('a failing sub-team’s report counts what it spent, and what its calls in flight may still cost stays spent', () => {
    const { ledger } = ledgerOf({ budget: { calls: 10, tokens: 10_000, usd: 1 }, prices: PRICES });
    expectRoom(ledger.ensureRoom(false));
    const allowance = ledger.handDown();
    ledger.settle(allowance, {
      usage: usage(1_000, 0),
      calls: 2,
      costUsd: 0.003,
      lost: { calls: 1, tokens: 700, usd: 0.004 },
    });
    expect([ledger.agentCalls, ledger.tokens]).toEqual([2, 1_000]);
    expect(ledger.carry()).toMatchObject({ lostCalls: 1, lostTokens: 700, lostUsd: 0.004 });
    expectRoom(ledger.ensureRoom(false));
    // 10 − 2 made − 1 lost; 10,000 − 1,000 − 700; $1 − 0.003 − 0.004.
    expect(ledger.handDown()).toMatchObject({
      agentCalls: 7,
      tokens: 8_300,
      costUsd: expect.closeTo(0.993, 12) as number,
    });
  });

  it('a sub-team without a cost estimate leaves the parent’s unknown', () => {
    const { ledger } = ledgerOf({ prices: PRICES });
    expectRoom(ledger.ensureRoom(false));
    ledger.settle(ledger.handDown(), { usage: usage(10, 10), calls: 1, costUsd: undefined });
    expect(ledger.costUsd).toBeUndefined();
  });

  it('a run’s spend for its parent counts its calls in flight (their worst case) and its sub-teams at work', () => {
    const { ledger } = ledgerOf({ handed: { agentCalls: 10, tokens: 10_000, costUsd: 1 }, prices: PRICES });
    call(ledger, usage(100, 100));
    expectRoom(ledger.ensureRoom(need(1_000, 200))); // holds 1,200 tokens, $0.006
    expectRoom(ledger.ensureRoom(false));
    const allowance = ledger.handDown();
    const spent = ledger.spent();
    expect(spent).toMatchObject({ usage: usage(100, 100), calls: 1 });
    expect(spent.lost?.calls).toBe(1 + (allowance.agentCalls ?? 0));
    expect(spent.lost?.tokens).toBe(1_200 + (allowance.tokens ?? 0));
    expect(spent.lost?.usd).toBeCloseTo(0.006 + (allowance.costUsd ?? 0), 12);
  });

  it('a tree: the child is capped by its allowance, and its report settles the parent exactly', () => {
    const parent = ledgerOf({ budget: { calls: 6, tokens: 5_000 } }).ledger;
    expectRoom(parent.ensureRoom(false));
    const allowance = parent.handDown();
    const child = new Ledger(
      { team: { limits: {} }, prices: {}, budget: allowance },
      { now: () => T0, isPatched: () => true },
    );
    for (let i = 0; i < 6; i += 1) call(child, usage(400, 100));
    expect(child.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: false });
    parent.settle(allowance, child.spent());
    expect([parent.agentCalls, parent.tokens, parent.outstanding]).toEqual([6, 3_000, 0]);
    expect(parent.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: true });
  });
});

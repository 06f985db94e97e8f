import { describe, expect, it } from 'vitest';
import { LedgerMiscount } from '../../../src/workflows/runtime/ledger/index.js';
import { PRICES, expectRoom, ledgerOf, need, usage } from './ledger-fixtures.js';

// Calls in flight hold their place (a call each, and under token and USD caps their worst case)
// until charged or released, so calls started at once cannot pass a cap together.
describe('ledger reservations of calls in flight', () => {
  it('calls started at once cannot pass the call cap; a release gives the place back', () => {
    const { ledger } = ledgerOf({ budget: { calls: 3 } });
    for (let i = 0; i < 3; i += 1) expectRoom(ledger.ensureRoom());
    expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: true });
    ledger.release();
    expectRoom(ledger.ensureRoom());
    expect(ledger.agentCalls).toBe(0);
  });

  it('a charged call keeps its place as a call made', () => {
    const { ledger } = ledgerOf({ budget: { calls: 2 } });
    expectRoom(ledger.ensureRoom());
    expectRoom(ledger.ensureRoom());
    ledger.charge(usage(10, 10), { model: 'm1' });
    expect(ledger.ensureRoom()).toMatchObject({ kind: 'limit', reason: 'maxAgentCalls' });
    expect([ledger.agentCalls, ledger.outstanding]).toEqual([1, 1]);
  });

  it('before troupe-exact-budget, calls in flight did not count against the call cap', () => {
    const { ledger } = ledgerOf({ budget: { calls: 3 }, unpatched: ['troupe-exact-budget'] });
    for (let i = 0; i < 5; i += 1) expectRoom(ledger.ensureRoom());
    expect(ledger.outstanding).toBe(5);
  });

  it('calls started at once cannot pass the token cap: each holds its worst case until charged', () => {
    const { ledger } = ledgerOf({ limits: { maxTokens: 2_000 } });
    const [a, b] = [need(600, 300), need(600, 300)];
    expectRoom(ledger.ensureRoom(a));
    expectRoom(ledger.ensureRoom(b));
    // 1,800 held + 900 > 2,000.
    expect(ledger.ensureRoom(need(600, 300))).toMatchObject({ kind: 'limit', reason: 'maxTokens' });
    // a spent 300 of its 900: 300 spent + 900 held + 900 > 2,000 still.
    ledger.charge(usage(200, 100), { model: 'm1', need: a });
    expect(ledger.ensureRoom(need(600, 300))).toMatchObject({ kind: 'limit', reason: 'maxTokens' });
    // b released (cancelled): 300 + 900 fits.
    ledger.release(b);
    expectRoom(ledger.ensureRoom(need(600, 300)));
  });

  it('calls started at once cannot pass the USD cap', () => {
    // Each may cost (1,000 × 3 + 200 × 15) / 1e6 = $0.006.
    const { ledger } = ledgerOf({ budget: { usd: 0.015 }, prices: PRICES });
    expectRoom(ledger.ensureRoom(need(1_000, 200)));
    expectRoom(ledger.ensureRoom(need(1_000, 200)));
    expect(ledger.ensureRoom(need(1_000, 200))).toEqual({ kind: 'limit', reason: 'maxCostUsd', own: true });
  });

  it('before troupe-exact-caps, calls in flight held nothing', () => {
    const { ledger } = ledgerOf({ limits: { maxTokens: 2_000 }, unpatched: ['troupe-exact-caps'] });
    for (let i = 0; i < 4; i += 1) expectRoom(ledger.ensureRoom(need(600, 300)));
  });

  it('a check (ensureRoom(false)) holds nothing', () => {
    const { ledger } = ledgerOf({ budget: { calls: 1 } });
    expectRoom(ledger.ensureRoom(false));
    expectRoom(ledger.ensureRoom(false));
    expect(ledger.outstanding).toBe(0);
  });

  it('counts what is outstanding; a run stopping at a cap waits for it only since troupe-exact-budget', () => {
    const { ledger, asked } = ledgerOf({ budget: { calls: 5 } });
    expect(ledger.waitsForOutstanding).toBe(false);
    expectRoom(ledger.ensureRoom());
    expectRoom(ledger.ensureRoom(false));
    ledger.handDown();
    expect(ledger.outstanding).toBe(2);
    expect(ledger.waitsForOutstanding).toBe(true);
    expect(asked).toContain('troupe-exact-budget');
    const before = ledgerOf({ unpatched: ['troupe-exact-budget'] });
    expectRoom(before.ledger.ensureRoom());
    expect(before.ledger.waitsForOutstanding).toBe(false);
  });

  describe('an end that matches no start throws LedgerMiscount, before it is counted', () => {
    it('a release with no call in flight', () => {
      const { ledger } = ledgerOf({ budget: { calls: 3 } });
      expect(() => ledger.release()).toThrow(LedgerMiscount);
    });

    it('a call charged twice: counted once', () => {
      const { ledger } = ledgerOf({ budget: { calls: 3 } });
      const weighed = need(10, 10);
      expectRoom(ledger.ensureRoom(weighed));
      ledger.charge(usage(5, 5), { model: 'm1', need: weighed });
      expect(() => ledger.charge(usage(0, 0), { model: 'm1', need: weighed })).toThrow(LedgerMiscount);
      expect([ledger.agentCalls, ledger.tokens, ledger.outstanding]).toEqual([1, 10, 0]);
    });

    it('a release must not free a sub-team’s calls (it would, counted together)', () => {
      const { ledger } = ledgerOf({ budget: { calls: 4 } });
      expectRoom(ledger.ensureRoom(false));
      const allowance = ledger.handDown();
      expect(allowance.agentCalls).toBe(4);
      expect(() => ledger.release()).toThrow(LedgerMiscount);
      expect(ledger.ensureRoom()).toMatchObject({ kind: 'limit', reason: 'maxAgentCalls' });
    });

    it('a settle of an allowance never handed down, or settled twice', () => {
      const { ledger } = ledgerOf({ budget: { calls: 4 } });
      expect(() => ledger.settle({ agentCalls: 2 }, undefined)).toThrow(LedgerMiscount);
      expectRoom(ledger.ensureRoom(false));
      const allowance = ledger.handDown();
      ledger.settle(allowance, { usage: usage(1, 1), calls: 1, costUsd: undefined });
      expect(() => ledger.settle(allowance, { usage: usage(1, 1), calls: 1, costUsd: undefined })).toThrow(
        LedgerMiscount,
      );
      expect(ledger.agentCalls).toBe(1);
    });
  });
});

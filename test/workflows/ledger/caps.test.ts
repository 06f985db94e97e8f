import { describe, expect, it } from 'vitest';
import { PRICES, T0, call, expectRoom, ledgerOf, need, usage } from './ledger-fixtures.js';

// Every cap, from each of its three sources: the team's fixed limits, the run's own budget (which a
// person may raise: `own`), and a parent's allowance. A limit is a result, never an exception.
describe('ledger caps', () => {
  describe('calls', () => {
    it('a team limit stops the call after the last one allowed; not the run’s own budget', () => {
      const { ledger } = ledgerOf({ limits: { maxAgentCalls: 2 } });
      call(ledger);
      call(ledger);
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: false });
      expect(ledger.agentCalls).toBe(2);
    });

    it('the run’s own budget is own: a person may raise it', () => {
      const { ledger } = ledgerOf({ budget: { calls: 2 } });
      call(ledger);
      call(ledger);
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: true });
    });

    it('a parent’s allowance is not own, and the tighter of it and the team limit holds', () => {
      const { ledger } = ledgerOf({ limits: { maxAgentCalls: 5 }, handed: { agentCalls: 1 } });
      call(ledger);
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: false });
    });

    it('an allowance of 0 calls leaves no room at all', () => {
      const { ledger } = ledgerOf({ handed: { agentCalls: 0 } });
      expect(ledger.ensureRoom(false)).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: false });
    });

    it('a fixed limit reached with the budget is named, not the budget (no person can raise it)', () => {
      const { ledger } = ledgerOf({
        limits: { maxAgentCalls: 1 },
        budget: { calls: 1, onExhausted: 'ask', approvers: ['*'] },
      });
      call(ledger);
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: false });
    });

    it('a run started with a budget uses it in place of the team’s', () => {
      const { ledger } = ledgerOf({ budget: { calls: 1 }, runBudget: { calls: 3 } });
      call(ledger);
      call(ledger);
      call(ledger);
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: true });
    });
  });

  describe('tokens', () => {
    it('a call starts only if its worst case fits what is spent and held', () => {
      const { ledger } = ledgerOf({ limits: { maxTokens: 1_000 } });
      const first = need(600, 300);
      expectRoom(ledger.ensureRoom(first));
      ledger.charge(usage(500, 200), { model: 'm1', need: first });
      expect(ledger.tokens).toBe(700);
      // 700 spent + 900 at most > 1,000.
      expect(ledger.ensureRoom(need(600, 300))).toEqual({ kind: 'limit', reason: 'maxTokens', own: false });
      // 700 + 300 = 1,000 fits exactly.
      expectRoom(ledger.ensureRoom(need(200, 100)));
    });

    it('cache reads and writes count as tokens', () => {
      const { ledger } = ledgerOf({ budget: { tokens: 1_000 } });
      call(ledger, usage(100, 100, 500, 300));
      expect(ledger.tokens).toBe(1_000);
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxTokens', own: true });
    });

    it('without a call’s worst case, only a cap already reached stops it', () => {
      const { ledger } = ledgerOf({ limits: { maxTokens: 1_000 } });
      call(ledger, usage(900, 99));
      expectRoom(ledger.ensureRoom());
    });

    it('a parent’s allowance of tokens caps the sub-team’s calls', () => {
      const { ledger } = ledgerOf({ limits: { maxTokens: 50_000 }, handed: { tokens: 800 } });
      expect(ledger.ensureRoom(need(600, 300))).toEqual({ kind: 'limit', reason: 'maxTokens', own: false });
      expectRoom(ledger.ensureRoom(need(500, 300)));
    });

    it('before troupe-exact-caps, a call starts while the cap is not yet reached, whatever it may spend', () => {
      const { ledger } = ledgerOf({ limits: { maxTokens: 1_000 }, unpatched: ['troupe-exact-caps'] });
      expectRoom(ledger.ensureRoom(need(5_000, 5_000)));
      ledger.charge(usage(900, 200), { model: 'm1', need: need(5_000, 5_000) });
      expect(ledger.ensureRoom(need(1, 1))).toEqual({ kind: 'limit', reason: 'maxTokens', own: false });
    });
  });

  describe('USD', () => {
    it('a call’s worst case is priced on the dearer of its models, input at its dearest rate', () => {
      // m1 with cache writes at 3.75 per million: 1,000 in at 3.75 + 200 out at 15 = $0.00675. m2 is cheaper.
      const prices = { ...PRICES, m1: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } };
      expect(
        ledgerOf({ handed: { costUsd: 0.00674 }, prices }).ledger.ensureRoom(need(1_000, 200, ['m2', 'm1'])),
      ).toEqual({ kind: 'limit', reason: 'maxCostUsd', own: false });
      expectRoom(ledgerOf({ handed: { costUsd: 0.00675 }, prices }).ledger.ensureRoom(need(1_000, 200, ['m2', 'm1'])));
    });

    it('a model without a price costs nothing in the worst case', () => {
      const { ledger } = ledgerOf({ budget: { usd: 0.000001 }, prices: PRICES });
      expectRoom(ledger.ensureRoom(need(1_000_000, 1_000_000, ['m3'])));
    });

    it('the estimate counts each call on its model; a model without a price leaves the cost unknown, and the USD cap with it', () => {
      const { ledger } = ledgerOf({ budget: { usd: 0.01 }, prices: PRICES });
      call(ledger, usage(1_000, 200), 'm1');
      expect(ledger.costUsd).toBeCloseTo(0.006, 12);
      call(ledger, usage(1_000, 200), 'm2');
      expect(ledger.costUsd).toBeCloseTo(0.008, 12);
      call(ledger, usage(1_000, 200), 'm1');
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxCostUsd', own: true });
      const unknown = ledgerOf({ budget: { usd: 0.01 }, prices: PRICES }).ledger;
      call(unknown, usage(1_000_000, 0), 'm3');
      expect(unknown.costUsd).toBeUndefined();
      expectRoom(unknown.ensureRoom(need(1_000_000, 0)));
    });

    it('without prices there is no estimate: not $0, and no USD cap', () => {
      const { ledger } = ledgerOf({ budget: { usd: 0.01 } });
      expect(ledger.costUsd).toBeUndefined();
      call(ledger, usage(10_000_000, 0));
      expectRoom(ledger.ensureRoom(need(10_000_000, 0)));
      expect(ledgerOf({ prices: PRICES }).ledger.costUsd).toBe(0);
    });
  });

  describe('time', () => {
    it('the budget’s time counts from the run’s start; the cap is reached at the deadline, not after', () => {
      const { ledger, clock } = ledgerOf({ budget: { time: 10_000 } });
      clock.now = T0 + 9_999;
      expectRoom(ledger.ensureRoom());
      clock.now = T0 + 10_000;
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxTime', own: true });
    });

    it('a parent’s deadline is not own; the earlier of it and the budget’s holds', () => {
      const { ledger, clock } = ledgerOf({ budget: { time: 10_000 }, handed: { deadline: T0 + 5_000 } });
      clock.now = T0 + 5_000;
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxTime', own: false });
    });
  });

  it('the call cap is checked first, then tokens, USD and time', () => {
    const { ledger, clock } = ledgerOf({ budget: { calls: 1, tokens: 100, usd: 0.000001, time: 1 }, prices: PRICES });
    call(ledger, usage(100, 0));
    clock.now = T0 + 1;
    expect(ledger.ensureRoom()).toMatchObject({ reason: 'maxAgentCalls' });
  });

  it('weighs calls (their worst case is worth estimating) only under a token or USD cap', () => {
    expect(ledgerOf({ budget: { calls: 3, time: 1_000 } }).ledger.weighsCalls()).toBe(false);
    expect(ledgerOf({ limits: { maxTokens: 10 } }).ledger.weighsCalls()).toBe(true);
    expect(ledgerOf({ handed: { costUsd: 1 } }).ledger.weighsCalls()).toBe(true);
    expect(ledgerOf().ledger.weighsCalls()).toBe(false);
  });

  it('a run without caps always has room, and counts what it spends', () => {
    const { ledger } = ledgerOf({ prices: PRICES });
    for (let i = 0; i < 50; i += 1) call(ledger, usage(1_000, 1_000));
    expectRoom(ledger.ensureRoom(need(1e9, 1e9)));
    expect([ledger.agentCalls, ledger.tokens]).toEqual([50, 100_000]);
    expect(ledger.costUsd).toBeCloseTo(50 * 0.018, 9);
  });
});

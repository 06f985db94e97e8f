import { describe, expect, it } from 'vitest';
import { withBudgetModel } from '../../../src/workflows/runtime/ledger/index.js';
import { PRICES, T0, call, expectRoom, ledgerOf, need, usage } from './ledger-fixtures.js';

const ASK = { onExhausted: 'ask' as const, approvers: ['*'] };

// The ledger never asks a person: it says when its own budget ran out, checks a raise, applies it,
// and gives the notices the run records. The workflow's adapter does the asking and the waiting.
describe('ledger: raising the budget, and its notices', () => {
  it('asks when exhausted only with a budget that says so', () => {
    expect(ledgerOf({ budget: { calls: 1, ...ASK } }).ledger.asksWhenExhausted).toBe(true);
    expect(ledgerOf({ budget: { calls: 1 } }).ledger.asksWhenExhausted).toBe(false);
    expect(ledgerOf().ledger.asksWhenExhausted).toBe(false);
  });

  it('names what was spent in the exhausted notices, while waiting and once refused', () => {
    const { ledger, clock } = ledgerOf({ budget: { calls: 2, ...ASK }, prices: PRICES });
    call(ledger, usage(1_000, 200));
    call(ledger, usage(500, 100));
    clock.now = T0 + 12_400;
    expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: true });
    expect(ledger.exhaustedNotice('maxAgentCalls', 'waiting')).toEqual({
      kind: 'budget-exhausted',
      detail: 'maxAgentCalls reached (2 calls, 1800 tokens, $0.0090, 12 s); waiting for a person to raise the budget',
    });
    expect(ledger.exhaustedNotice('maxAgentCalls', 'refused')).toEqual({
      kind: 'budget-exhausted',
      detail: 'maxAgentCalls reached (2 calls, 1800 tokens, $0.0090, 12 s); the budget was not raised',
    });
  });

  describe('problemWith', () => {
    it('asks for a raise when there is none', () => {
      const { ledger } = ledgerOf({ budget: { calls: 1, ...ASK } });
      expect(ledger.problemWith(undefined)).toBe(
        'approve with a raise of the budget (e.g. { raise: { calls: 20 } }), or reject to stop the run with its partial result',
      );
    });

    it('refuses a cap not above the current one', () => {
      const { ledger } = ledgerOf({ budget: { calls: 5, tokens: 1_000, ...ASK } });
      expect(ledger.problemWith({ calls: 6, tokens: 1_000 })).toBe(
        'a raise must be above the current cap: tokens 1000 is not above 1000',
      );
      expect(ledger.problemWith({ calls: 4 })).toBe('a raise must be above the current cap: calls 4 is not above 5');
    });

    it('refuses a raise that leaves another cap exhausted', () => {
      const { ledger } = ledgerOf({ budget: { calls: 2, tokens: 1_000, ...ASK } });
      call(ledger, usage(500, 0));
      call(ledger, usage(500, 0));
      expect(ledger.problemWith({ calls: 10 })).toBe(
        'the raise leaves maxTokens exhausted (2 calls, 1000 tokens, 0 s): raise that cap too',
      );
      expect(ledger.problemWith({ calls: 10, tokens: 1_001 })).toBeUndefined();
    });

    it('refuses a raise that leaves no room for the call waiting for it', () => {
      const { ledger } = ledgerOf({ budget: { tokens: 1_000, ...ASK } });
      call(ledger, usage(800, 0));
      const waiting = need(300, 200); // 500 at most
      expect(ledger.ensureRoom(waiting)).toEqual({ kind: 'limit', reason: 'maxTokens', own: true });
      expect(ledger.problemWith({ tokens: 1_200 }, waiting)).toMatch(/^the raise leaves maxTokens exhausted/);
      expect(ledger.problemWith({ tokens: 1_300 }, waiting)).toBeUndefined();
      // A check (a sub-team waiting) needs only the cap not reached.
      expect(ledger.problemWith({ tokens: 1_001 }, false)).toBeUndefined();
      expect(ledger.problemWith({ tokens: 1_001 }, waiting)).toMatch(/^the raise leaves maxTokens exhausted/);
    });
  });

  it('applies a raise over the budget as it stands, with its notice; the call then has room', () => {
    const { ledger } = ledgerOf({ budget: { calls: 1, tokens: 50_000, ...ASK } });
    call(ledger, usage(100, 0));
    expect(ledger.ensureRoom()).toMatchObject({ kind: 'limit', own: true });
    expect(ledger.raise({ calls: 3 }, 'maxAgentCalls')).toEqual({
      kind: 'budget-raised',
      detail: 'budget raised to {"calls":3} (1 calls, 100 tokens, 0 s)',
    });
    expect(ledger.budget).toMatchObject({ calls: 3, tokens: 50_000, onExhausted: 'ask' });
    expectRoom(ledger.ensureRoom());
    expectRoom(ledger.ensureRoom());
    expect(ledger.ensureRoom()).toMatchObject({ kind: 'limit', reason: 'maxAgentCalls', own: true });
  });

  describe('the low notice', () => {
    it('comes once, with the first room after the lowAt share of any cap is spent', () => {
      const { ledger } = ledgerOf({ budget: { calls: 10, lowAt: 0.5 } });
      for (let i = 0; i < 5; i += 1) {
        expect(ledger.ensureRoom()).toEqual({ kind: 'room' });
        ledger.charge(usage(1, 1), { model: 'm1' });
      }
      expect(ledger.low).toBe(false);
      expect(ledger.ensureRoom()).toEqual({
        kind: 'room',
        notice: {
          kind: 'budget-low',
          detail: '50% of the budget spent (5 calls, 10 tokens, 0 s): agents with a cheaper model use it from now on',
        },
      });
      expect(ledger.low).toBe(true);
      expect(ledger.ensureRoom()).toEqual({ kind: 'room' });
    });

    it('counts time, tokens and USD too, whichever is furthest spent', () => {
      const timed = ledgerOf({ budget: { time: 10_000, tokens: 1_000, lowAt: 0.8 } });
      timed.clock.now = T0 + 8_000;
      expect(timed.ledger.ensureRoom(false)).toMatchObject({
        notice: { detail: expect.stringMatching(/^80% of the budget spent/) as string },
      });
      const priced = ledgerOf({ budget: { usd: 0.01, lowAt: 0.5 }, prices: PRICES });
      call(priced.ledger, usage(1_000, 200)); // $0.006
      expect(priced.ledger.ensureRoom(false)).toMatchObject({
        notice: { detail: expect.stringMatching(/^60% of the budget spent/) as string },
      });
    });

    it('is not given with a limit, nor without lowAt', () => {
      const { ledger } = ledgerOf({ budget: { calls: 1, lowAt: 0.5 } });
      call(ledger);
      expect(ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: true });
      expect(ledger.low).toBe(false);
      const none = ledgerOf({ budget: { calls: 2 } }).ledger;
      call(none);
      expect(none.ensureRoom()).toEqual({ kind: 'room' });
    });

    it('switches agents with a cheaper model to it', () => {
      const { ledger } = ledgerOf({ budget: { calls: 2, lowAt: 0.5 } });
      const agent = { name: 'w', model: 'big', cheaperModel: 'small' };
      expect(withBudgetModel(agent, ledger).model).toBe('big');
      call(ledger);
      ledger.ensureRoom();
      expect(withBudgetModel(agent, ledger).model).toBe('small');
      expect(withBudgetModel({ name: 'x', model: 'big' }, ledger).model).toBe('big');
    });
  });
});

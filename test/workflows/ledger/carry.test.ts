import { describe, expect, it } from 'vitest';
import type { Carry } from '../../../src/protocol/run-spec.js';
import type { Ledger } from '../../../src/workflows/runtime/ledger/index.js';
import { PRICES, T0, call, expectRoom, ledgerOf, usage } from './ledger-fixtures.js';

/** What continue-as-new carries of a ledger, as the transcript builds it. */
function carried(ledger: Ledger): Carry {
  return {
    state: null,
    usage: ledger.usage,
    agentCalls: ledger.agentCalls,
    ...(ledger.costUsd !== undefined ? { costUsd: ledger.costUsd } : {}),
    envelopeCount: 0,
    recentEnvelopes: [],
    warnings: [],
    continuedAsNew: 1,
    budget: ledger.carry(),
  };
}

// A long run continues as new: the next link's ledger, built from what the last one carried,
// continues the same figures, so the caps hold for the whole chain.
describe('ledger: the continue-as-new carry', () => {
  it('the next link continues every figure, and the caps count the whole chain', () => {
    const first = ledgerOf({ budget: { calls: 8, tokens: 20_000, time: 60_000, lowAt: 0.1 }, prices: PRICES });
    first.clock.now = T0 + 1_000;
    call(first.ledger, usage(1_000, 500));
    call(first.ledger, usage(1_000, 500));
    // A failed sub-team that could not report: its allowance stays lost.
    expectRoom(first.ledger.ensureRoom(false));
    first.ledger.startingTogether(3, 1);
    first.ledger.memberStarting(true);
    const allowance = first.ledger.handDown();
    expect(allowance).toMatchObject({ agentCalls: 4, tokens: 5_666 });
    first.ledger.settle(allowance, undefined);
    first.ledger.memberStarting(false);
    first.ledger.memberStarting(false);
    expect(first.ledger.raise({ calls: 9 }, 'maxAgentCalls').kind).toBe('budget-raised');
    expect(first.ledger.low).toBe(true); // 1 call of 8 is over 10 %: noted at the second call

    const next = ledgerOf({
      budget: { calls: 8, tokens: 20_000, time: 60_000, lowAt: 0.1 },
      prices: PRICES,
      carry: carried(first.ledger),
    });
    next.clock.now = T0 + 30_000;
    for (const key of ['usage', 'agentCalls', 'costUsd', 'budget', 'low', 'startedAt', 'tokens'] as const)
      expect(next.ledger[key], key).toEqual(first.ledger[key]);
    expect(next.ledger.carry()).toEqual(first.ledger.carry());
    expect(next.ledger.spent()).toEqual(first.ledger.spent());
    // 2 made + 4 lost of the raised 9: three more calls.
    call(next.ledger);
    call(next.ledger);
    expect(next.ledger.ensureRoom()).toEqual({ kind: 'room' }); // no second low notice
    next.ledger.release();
    call(next.ledger);
    expect(next.ledger.ensureRoom()).toEqual({ kind: 'limit', reason: 'maxAgentCalls', own: true });
    // The time cap counts from the chain's first start.
    const timed = ledgerOf({ budget: { time: 60_000 }, carry: carried(first.ledger) });
    timed.clock.now = T0 + 60_000;
    expect(timed.ledger.ensureRoom(false)).toMatchObject({ kind: 'limit', reason: 'maxTime' });
  });

  it('carries a cost estimate that became unknown as unknown, even with prices', () => {
    const first = ledgerOf({ prices: PRICES }).ledger;
    call(first, usage(10, 10), 'm3');
    const next = ledgerOf({ prices: PRICES, carry: carried(first) }).ledger;
    expect(next.costUsd).toBeUndefined();
  });

  it('carries only what there is: no lost tokens or USD at 0, no budget without one', () => {
    expect(ledgerOf().ledger.carry()).toEqual({ startedAt: T0, lostCalls: 0, lowNoted: false });
  });

  it('a link carried from a run recorded before lost calls were carried starts at 0', () => {
    const carry = { ...carried(ledgerOf().ledger), budget: { startedAt: T0 - 5_000, lostCalls: 0, lowNoted: false } };
    const { ledger } = ledgerOf({ budget: { calls: 1 }, carry });
    expect(ledger.startedAt).toBe(T0 - 5_000);
    expect(ledger.spent().lost).toEqual({ calls: 0, tokens: 0, usd: 0 });
  });
});

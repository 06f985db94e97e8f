import { describe, expect, it } from 'vitest';
import type { Ledger } from '../../../src/workflows/runtime/ledger/index.js';
import { PRICES, T0, expectRoom, ledgerOf, need, usage, type LedgerSetup } from './ledger-fixtures.js';

/** A run's life in the ledger: calls (one failing at the time cap), a fan-out with a sub-team, a report, the end. */
function life(ledger: Ledger, clock: { now: number }): void {
  const weighed = need(100, 100);
  expectRoom(ledger.ensureRoom(ledger.weighsCalls() ? weighed : undefined));
  ledger.charge(usage(50, 50), { model: 'm1', need: weighed });
  ledger.startingTogether(2, 1);
  ledger.memberStarting(true);
  expectRoom(ledger.ensureRoom(false));
  const allowance = ledger.handDown();
  ledger.memberStarting(false);
  const failing = need(100, 100);
  expectRoom(ledger.ensureRoom(ledger.weighsCalls() ? failing : undefined));
  const timeLeft = ledger.timeLeft();
  const error = new Error('timed out');
  ledger.failed(failing, error, { timedOut: true, cut: timeLeft !== undefined });
  ledger.charge(usage(0, 0), { model: 'm1', need: failing });
  clock.now += 1_000;
  ledger.stoppedAtTimeCap(error, { timedOut: true, attemptTimeout: 1e9 });
  ledger.stoppedAtTimeCap(new Error('uncut'), { timedOut: true, attemptTimeout: 1e9 });
  ledger.settle(allowance, undefined);
  expect(ledger.waitsForOutstanding).toBe(false);
  ledger.timeUntilCap();
  ledger.spent();
  ledger.carry();
}

function asks(setup: LedgerSetup) {
  const { ledger, clock, asked } = ledgerOf(setup);
  life(ledger, clock);
  return asked;
}

// A patch asked where today's code did not ask it would add a marker to new runs' histories, and
// on replay could read false where the recorded run never asked. The ledger asks each only where
// its old and new paths differ, at the moment they do.
describe('ledger: when patches are asked', () => {
  it('a run under no cap asks none', () => {
    expect(asks({ prices: PRICES })).toEqual([]);
  });

  it('under a call cap only: troupe-exact-budget at the first check, troupe-exact-caps once handing down', () => {
    expect(asks({ budget: { calls: 50 } })).toEqual(['troupe-exact-budget', 'troupe-exact-caps']);
  });

  it('under a token cap: troupe-exact-caps at the first weighed call; a held call that timed out asks troupe-timed-out-calls-spent', () => {
    expect(asks({ budget: { tokens: 50_000 } })).toEqual(['troupe-exact-caps', 'troupe-timed-out-calls-spent']);
  });

  it('under a USD cap without prices nothing is weighed: troupe-exact-caps only once handing down', () => {
    expect(asks({ budget: { usd: 1 } })).toEqual(['troupe-exact-caps']);
  });

  it('under a time cap: troupe-exact-caps at handing down, troupe-time-cap-cut-calls for the uncut call only', () => {
    expect(asks({ budget: { time: 60_000 } })).toEqual(['troupe-exact-caps', 'troupe-time-cap-cut-calls']);
  });

  it('waiting for what is outstanding asks troupe-exact-budget only with something outstanding', () => {
    const { ledger, asked } = ledgerOf();
    expect(ledger.waitsForOutstanding).toBe(false);
    expect(asked).toEqual([]);
    expectRoom(ledger.ensureRoom());
    expect(ledger.waitsForOutstanding).toBe(true);
    expect(asked).toEqual(['troupe-exact-budget']);
  });

  it('troupe-exact-budget and troupe-exact-caps are asked once; the others each time their question comes', () => {
    const { ledger, asked } = ledgerOf({ budget: { calls: 50, tokens: 50_000, time: 60_000 } });
    for (let i = 0; i < 3; i += 1) {
      const weighed = need(10, 10);
      expectRoom(ledger.ensureRoom(weighed));
      ledger.failed(weighed, new Error('timed out'), { timedOut: true, cut: false });
      ledger.release(weighed);
      ledger.stoppedAtTimeCap(new Error('uncut'), { timedOut: true, attemptTimeout: 1e9 });
    }
    expect(asked).toEqual([
      'troupe-exact-caps',
      'troupe-exact-budget',
      ...Array.from({ length: 3 }, () => ['troupe-timed-out-calls-spent', 'troupe-time-cap-cut-calls']).flat(),
    ]);
  });

  it('a run recorded before every patch gets the old behaviour throughout', () => {
    const { ledger, clock } = ledgerOf({
      budget: { calls: 4, tokens: 1_000, time: 10_000 },
      unpatched: [
        'troupe-exact-budget',
        'troupe-exact-caps',
        'troupe-timed-out-calls-spent',
        'troupe-time-cap-cut-calls',
      ],
    });
    // Calls in flight neither count nor hold.
    for (let i = 0; i < 6; i += 1) expectRoom(ledger.ensureRoom(need(900, 900)));
    expect(ledger.waitsForOutstanding).toBe(false);
    expect(ledger.timeLeft()).toBeUndefined();
    clock.now = T0 + 9_999;
    expect(ledger.stoppedAtTimeCap(new Error('x'), { timedOut: true, attemptTimeout: 1e9 })).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { PRICES, T0, expectRoom, ledgerOf, need, usage } from './ledger-fixtures.js';

const TIMED_OUT = { timedOut: true, cut: false };
const TIMED_OUT_NEAR_CAP = { timedOut: true, attemptTimeout: 5_000 };

// The time cap bounds each call's schedule-to-close, so no call runs past it; a call that timed out
// there ends the run at maxTime. A call that timed out under a token or USD cap may have been billed
// for what it generated, so its worst case stays spent.
describe('ledger: the time cap, and calls that time out', () => {
  it('gives the time left to bound a call by, from the tighter deadline; none without a cap', () => {
    const { ledger, clock } = ledgerOf({ budget: { time: 60_000 }, handed: { deadline: T0 + 30_000 } });
    clock.now = T0 + 10_000;
    expect(ledger.timeLeft()).toBe(20_000);
    expect(ledger.timeUntilCap()).toBe(20_000);
    clock.now = T0 + 31_000;
    expect(ledger.timeLeft()).toBe(-1_000);
    // The budget's own deadline when it comes first.
    expect(ledgerOf({ budget: { time: 10_000 }, handed: { deadline: T0 + 30_000 } }).ledger.timeLeft()).toBe(10_000);
    expect(ledgerOf({ budget: { calls: 3 } }).ledger.timeLeft()).toBeUndefined();
    expect(ledgerOf({ budget: { calls: 3 } }).ledger.timeUntilCap()).toBeUndefined();
  });

  it('before troupe-exact-caps, calls were not bounded by the cap; waiting it out asks no patch', () => {
    const { ledger, asked } = ledgerOf({ budget: { time: 60_000 }, unpatched: ['troupe-exact-caps'] });
    expect(ledger.timeUntilCap()).toBe(60_000);
    expect(asked).toEqual([]);
    expect(ledger.timeLeft()).toBeUndefined();
    expect(asked).toEqual(['troupe-exact-caps']);
  });

  describe('stoppedAtTimeCap', () => {
    function cutCall(unpatched: ('troupe-exact-caps' | 'troupe-time-cap-cut-calls')[] = []) {
      const setup = ledgerOf({ budget: { time: 60_000 }, unpatched });
      const error = new Error('timed out');
      expectRoom(setup.ledger.ensureRoom());
      setup.ledger.failed(undefined, error, { timedOut: true, cut: true });
      setup.ledger.release();
      return { ...setup, error };
    }

    it('a call the cap cut, timed out with less time left than an attempt takes: stopped at the cap', () => {
      const { ledger, clock, error } = cutCall();
      clock.now = T0 + 59_000;
      expect(ledger.stoppedAtTimeCap(error, { timedOut: true, attemptTimeout: 5_000 })).toBe(true);
      // With an attempt's time still left, it was not the cap.
      expect(ledger.stoppedAtTimeCap(error, { timedOut: true, attemptTimeout: 1_000 })).toBe(false);
      expect(ledger.stoppedAtTimeCap(error, { timedOut: false, attemptTimeout: 5_000 })).toBe(false);
    });

    it('a call the cap did not cut is the agent’s failure, since troupe-time-cap-cut-calls', () => {
      const { ledger, clock, asked } = cutCall();
      clock.now = T0 + 59_000;
      const uncut = new Error('own timeout');
      expect(ledger.stoppedAtTimeCap(uncut, TIMED_OUT_NEAR_CAP)).toBe(false);
      expect(asked.filter((id) => id === 'troupe-time-cap-cut-calls')).toHaveLength(1);
      const before = cutCall(['troupe-time-cap-cut-calls']);
      before.clock.now = T0 + 59_000;
      expect(before.ledger.stoppedAtTimeCap(uncut, TIMED_OUT_NEAR_CAP)).toBe(true);
    });

    it('never without a time cap, nor before troupe-exact-caps', () => {
      const { ledger, error } = cutCall(['troupe-exact-caps']);
      expect(ledger.stoppedAtTimeCap(error, { timedOut: true, attemptTimeout: 1e9 })).toBe(false);
      expect(ledgerOf().ledger.stoppedAtTimeCap(error, { timedOut: true, attemptTimeout: 1e9 })).toBe(false);
    });
  });

  describe('a call that timed out under a token or USD cap', () => {
    it('keeps its worst case spent (troupe-timed-out-calls-spent)', () => {
      const { ledger } = ledgerOf({ budget: { tokens: 2_000, usd: 1 }, prices: PRICES });
      const weighed = need(600, 300); // 900 tokens, $0.0063
      expectRoom(ledger.ensureRoom(weighed));
      ledger.failed(weighed, new Error('timed out'), TIMED_OUT);
      ledger.charge(usage(0, 0), { model: 'm1', need: weighed });
      expect(ledger.carry()).toMatchObject({ lostTokens: 900, lostUsd: expect.closeTo(0.0063, 12) as number });
      expect(ledger.spent().lost).toMatchObject({ tokens: 900 });
      // 900 lost + 1,200 > 2,000.
      expect(ledger.ensureRoom(need(1_000, 200))).toMatchObject({ kind: 'limit', reason: 'maxTokens' });
      expectRoom(ledger.ensureRoom(need(1_000, 100)));
    });

    it('a call that failed otherwise, or one recorded before the patch, keeps nothing', () => {
      for (const [how, unpatched] of [
        [{ timedOut: false, cut: false }, []],
        [TIMED_OUT, ['troupe-timed-out-calls-spent' as const]],
      ] as const) {
        const { ledger } = ledgerOf({ budget: { tokens: 2_000 }, unpatched: [...unpatched] });
        const weighed = need(600, 300);
        expectRoom(ledger.ensureRoom(weighed));
        ledger.failed(weighed, new Error('failed'), how);
        ledger.release(weighed);
        expect(ledger.carry().lostTokens).toBeUndefined();
        expectRoom(ledger.ensureRoom(need(1_500, 500)));
      }
    });
  });
});

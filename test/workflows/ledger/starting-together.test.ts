import { describe, expect, it } from 'vitest';
import type { Ledger } from '../../../src/workflows/runtime/ledger/index.js';
import { PRICES, call, expectRoom, ledgerOf, need } from './ledger-fixtures.js';

/** A member begins as Members.call begins it: an agent makes room for its call, a sub-team is handed its allowance. */
function begin(ledger: Ledger, member: 'agent' | 'subteam') {
  ledger.memberStarting(member === 'subteam');
  expectRoom(ledger.ensureRoom(member === 'agent' ? undefined : false));
  return member === 'subteam' ? ledger.handDown() : undefined;
}

// Members started at once that have not begun yet: a sub-team handed its allowance among them
// leaves them room, so the members of a fan-out or of one turn's delegations cannot pass a cap together.
describe('ledger: members starting together', () => {
  describe('since troupe-exact-caps', () => {
    it('sub-teams of a fan-out share the calls left; the last takes the remainder', () => {
      const { ledger } = ledgerOf({ budget: { calls: 10 } });
      ledger.startingTogether(3, 3);
      const shares = [begin(ledger, 'subteam'), begin(ledger, 'subteam'), begin(ledger, 'subteam')].map(
        (a) => a?.agentCalls,
      );
      // 10 / 3 → 3; 7 / 2 → 3; 4.
      expect(shares).toEqual([3, 3, 4]);
      expect(ledger.ensureRoom()).toMatchObject({ kind: 'limit', reason: 'maxAgentCalls' });
    });

    it('a sub-team leaves a call for each agent beside it', () => {
      const { ledger } = ledgerOf({ budget: { calls: 10 } });
      ledger.startingTogether(3, 1);
      expect(begin(ledger, 'subteam')?.agentCalls).toBe(8);
      begin(ledger, 'agent');
      begin(ledger, 'agent');
      expect(ledger.ensureRoom()).toMatchObject({ kind: 'limit', reason: 'maxAgentCalls' });
    });

    it('sub-teams share tokens and USD left with every member beside them, less what calls in flight hold', () => {
      const { ledger } = ledgerOf({ budget: { tokens: 10_000, usd: 0.1 }, prices: PRICES });
      // An agent's call in flight holds 1,000 tokens and (900 × 3 + 100 × 15) / 1e6 = $0.0042.
      expectRoom(ledger.ensureRoom(need(900, 100)));
      ledger.startingTogether(3, 2);
      const first = begin(ledger, 'subteam');
      // 9,000 tokens left, shared by 3 (itself, one sub-team and one agent beside it).
      expect(first?.tokens).toBe(3_000);
      expect(first?.costUsd).toBeCloseTo((0.1 - 0.0042) / 3, 12);
      const second = begin(ledger, 'subteam');
      // 6,000 left, shared by 2 (itself and the agent).
      expect(second?.tokens).toBe(3_000);
      expect(second?.costUsd).toBeCloseTo((0.1 - 0.0042) / 3, 12);
    });

    it('a delegating agent’s turn keeps a call for its own next turn while its sub-teams work', () => {
      const { ledger } = ledgerOf({ budget: { calls: 10 } });
      call(ledger); // the turn that delegates
      // To sub-team s and agent x: x and the agent's next turn wait beside s.
      ledger.together(2, 1);
      begin(ledger, 'agent'); // x
      // 10 − 1 made − 1 in flight − 1 kept for the next turn.
      expect(begin(ledger, 'subteam')?.agentCalls).toBe(7);
      ledger.memberStarting(); // the turn's delegations are done
      expectRoom(ledger.ensureRoom()); // the next turn
    });

    it('without that call kept, the sub-team would take the next turn’s place', () => {
      const { ledger } = ledgerOf({ budget: { calls: 10 } });
      call(ledger);
      ledger.together(1, 1);
      begin(ledger, 'agent');
      expect(begin(ledger, 'subteam')?.agentCalls).toBe(8);
      expect(ledger.ensureRoom()).toMatchObject({ kind: 'limit', reason: 'maxAgentCalls' });
    });
  });

  describe('before troupe-exact-caps', () => {
    it('a sub-team of a fan-out left a call for each member beside it, agent or sub-team, and took the rest', () => {
      const { ledger } = ledgerOf({ budget: { calls: 10, tokens: 9_000 }, unpatched: ['troupe-exact-caps'] });
      ledger.startingTogether(3, 3);
      const [a, b, c] = [begin(ledger, 'subteam'), begin(ledger, 'subteam'), begin(ledger, 'subteam')];
      expect([a?.agentCalls, b?.agentCalls, c?.agentCalls]).toEqual([8, 1, 1]);
      // Tokens were not shared: each was handed every token left, and held none.
      expect([a?.tokens, b?.tokens, c?.tokens]).toEqual([9_000, 9_000, 9_000]);
    });

    it('a delegation did not count: its sub-team took every call left', () => {
      const { ledger } = ledgerOf({ budget: { calls: 10 }, unpatched: ['troupe-exact-caps'] });
      ledger.together(2, 1);
      begin(ledger, 'agent');
      expect(begin(ledger, 'subteam')?.agentCalls).toBe(9);
    });

    it('before troupe-exact-budget too, no call was kept for anyone, nor counted in flight', () => {
      const { ledger } = ledgerOf({ budget: { calls: 10 }, unpatched: ['troupe-exact-caps', 'troupe-exact-budget'] });
      ledger.startingTogether(3, 3);
      expect(
        [begin(ledger, 'subteam'), begin(ledger, 'subteam'), begin(ledger, 'subteam')].map((a) => a?.agentCalls),
      ).toEqual([10, 10, 10]);
    });
  });

  describe('what the clamps at 0 guard', () => {
    it('a member called on its own begins too, and was never counted: it leaves nothing behind', () => {
      const { ledger } = ledgerOf({ budget: { calls: 10 } });
      // A pipeline's three agent steps, one after another, then a fan-out of two sub-teams.
      for (let i = 0; i < 3; i += 1) ledger.memberStarting(false);
      ledger.startingTogether(2, 2);
      // Without the clamp, 3 agents below 0 would hand the two 6 + 7 = 13 of the 10 calls.
      expect(begin(ledger, 'subteam')?.agentCalls).toBe(5);
      expect(begin(ledger, 'subteam')?.agentCalls).toBe(5);
    });

    it('more agents waiting than calls left: the sub-team is handed 0 calls', () => {
      const { ledger } = ledgerOf({ budget: { calls: 3 } });
      ledger.startingTogether(5, 1);
      expect(begin(ledger, 'subteam')?.agentCalls).toBe(0);
      const before = ledgerOf({ budget: { calls: 3 }, unpatched: ['troupe-exact-caps'] }).ledger;
      before.startingTogether(5, 1);
      expect(begin(before, 'subteam')?.agentCalls).toBe(0);
    });

    it('held and spent past the token cap (a check counts only what is spent): 0 tokens handed', () => {
      const { ledger } = ledgerOf({ limits: { maxTokens: 1_000 } });
      expectRoom(ledger.ensureRoom(need(600, 300))); // holds 900
      call(ledger, { inputTokens: 200, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 }); // 300 spent
      expectRoom(ledger.ensureRoom(false));
      expect(ledger.handDown().tokens).toBe(0);
    });

    it('kept as recorded runs did it: a member called on its own while a delegating turn waits takes that turn’s place', () => {
      // The counts are the run's, not each group's. Kept, as changing it changes what sub-teams are
      // handed in runs already recorded; a fix would count each group apart, behind a patch.
      const { ledger } = ledgerOf({ budget: { calls: 10 } });
      call(ledger);
      ledger.together(1, 1); // the next turn waits beside sub-team s
      ledger.memberStarting(false); // another branch calls an agent on its own
      expect(begin(ledger, 'subteam')?.agentCalls).toBe(9); // with the turn's call kept: 8
    });
  });
});

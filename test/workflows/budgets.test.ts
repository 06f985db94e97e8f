import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { readRunHistory } from '../../src/client/index.js';
import { historyAsText } from '../../src/cli/render-history.js';
import { FailureType, TroupeError } from '../../src/team/index.js';
import { startedRuns, waitingAt, type StartedRun } from '../support/budget-runs.js';
import { useTemporal } from '../support/temporal.js';

// Budgets (issue 12) on the time-skipping server, with real activities and the real SDK against the Messages API double.
const temporal = useTemporal('time-skipping');
const { start, result } = startedRuns(temporal);

async function history(s: StartedRun) {
  return readRunHistory(s.run.workflowId, await s.run.handle.fetchHistory());
}

const argue = (position: string) => ({ json: { position, argument: `because ${position}` } });

describe('budgets', () => {
  it('never lets parallel calls overshoot the call cap: of three writers at once with room for two, the third never starts', async () => {
    const s = await start('fan-on-budget', {
      w1: [{ text: 'one', delayMs: 200 }],
      w2: [{ text: 'two', delayMs: 200 }],
      w3: [{ text: 'three' }],
      editor: [{ text: 'edited' }],
    });
    const r = await result(s);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxAgentCalls', agentCalls: 2, flags: ['budget-exhausted'] });
    expect(s.double.scripted.callsTo()).toBe(2);
    expect(s.double.scripted.callsTo('w3')).toBe(0);
    // The calls in flight were waited for, so the figures agree with the history.
    expect((await history(s)).agentCalls).toBe(2);
  });

  it('takes a budget given at start, in place of the team’s: tokens, never spending more than the cap', async () => {
    const s = await start(
      'four-steps',
      { '*': [{ text: 'work', usage: { inputTokens: 300, outputTokens: 1_700 } }] },
      { budget: { tokens: 5_500 } },
    );
    const r = await result(s);
    // 2,000 tokens a call; a call starts only if its worst case (input estimate + maxTokens 2,048) fits:
    // after two calls (4,000) a third could reach 6,000 or more, so it does not start.
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxTokens', agentCalls: 2, flags: ['budget-exhausted'] });
    expect(r.usage.inputTokens + r.usage.outputTokens).toBe(4_000);
    expect(
      r.usage.inputTokens + r.usage.outputTokens + r.usage.cacheReadTokens + r.usage.cacheWriteTokens,
    ).toBeLessThanOrEqual(5_500);
    expect(s.double.scripted.callsTo()).toBe(2);
  });

  it('stops at a USD cap, estimated from the prices, never spending more than the cap', async () => {
    const prices = { 'claude-sonnet-5-5': { input: 3, output: 15 } };
    // One call: 300 input tokens ($0.0009) + 1,500 output tokens ($0.0225) = $0.0234; its worst case
    // (maxTokens 2,048 of output alone is $0.0307) fits twice in $0.06, not a third time after $0.0468.
    const s = await start(
      'four-steps',
      { '*': [{ text: 'work', usage: { inputTokens: 300, outputTokens: 1_500 } }] },
      { budget: { usd: 0.06 }, prices },
    );
    const r = await result(s);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxCostUsd', agentCalls: 2 });
    const u = r.usage;
    expect(r.costUsd).toBeCloseTo(
      (u.inputTokens * 3 + u.outputTokens * 15 + (u.cacheReadTokens + u.cacheWriteTokens) * 3) / 1e6,
      9,
    );
    expect(r.costUsd).toBeGreaterThanOrEqual(0.0468);
    expect(r.costUsd).toBeLessThanOrEqual(0.06);
    expect(s.double.scripted.callsTo()).toBe(2);
  });

  it('refuses a USD budget without prices before anything starts', async () => {
    const error = await start('four-steps', {}, { budget: { usd: 1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe('BUDGET_NEEDS_PRICES');
    expect((error as TroupeError).message).toContain('claude-sonnet-5-5 has none: set TROUPE_PRICES');
  });

  it('stops at its time cap: workflow time since the start, here spent waiting two days for an approval', async () => {
    const s = await start('slow-approval', { drafter: [{ text: 'draft' }], editor: [{ text: 'edited' }] });
    const r = await result(s);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxTime', agentCalls: 1, output: 'draft' });
    expect(s.double.scripted.callsTo('editor')).toBe(0);
  });

  it('holds across a tree: the sub-team spends what the parent has left, and the parent stops after it', async () => {
    const s = await start('budget-root', { '*': [{ text: 'work' }] });
    const r = await result(s);
    // r1 (1 call), then the sub-team gets 2 of its 3 steps, then the parent's last step finds no room.
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxAgentCalls', agentCalls: 3 });
    expect(s.double.scripted.callsTo()).toBe(3);
    expect(s.double.scripted.callsTo('l3')).toBe(0);
    expect(r.warnings.join('\n')).toContain('sub-team budget-leaf');
  });

  it('leaves a call for each member starting beside a sub-team: a plain call limit with room runs them all', async () => {
    const s = await start('leaf-beside-writer', { '*': [{ text: 'work' }] });
    const r = await result(s);
    expect(r).toMatchObject({ partial: false, agentCalls: 4 });
    expect(s.double.scripted.callsTo('w1')).toBe(1);
    expect(s.double.scripted.callsTo()).toBe(4);
  });

  it('under a tight cap, the sub-team beside an agent gets what is left after the agent’s call', async () => {
    const s = await start('leaf-beside-writer-tight', { '*': [{ text: 'work' }] });
    const r = await result(s);
    // 3 calls: w1 keeps one, the sub-team gets two of its three steps (and stops early).
    expect(s.double.scripted.callsTo('w1')).toBe(1);
    expect(s.double.scripted.callsTo('l3')).toBe(0);
    expect(s.double.scripted.callsTo()).toBe(3);
    expect(r.agentCalls).toBe(3);
    expect(r.warnings.join('\n')).toContain('sub-team budget-leaf');
  });

  it('switches agents to their cheaper model once the lowAt share is spent, and says so in the history', async () => {
    const s = await start('thrifty', { '*': [{ text: 'work' }] });
    const r = await result(s);
    expect(r.partial).toBe(false);
    // 10 calls allowed, low at 20%: the first two calls use the strong model, the rest the cheaper one.
    expect(s.double.scripted.requests.map((q) => q.body.model)).toEqual([
      'claude-sonnet-5-5',
      'claude-sonnet-5-5',
      'claude-haiku-5-5',
      'claude-haiku-5-5',
    ]);
    const h = await history(s);
    expect(
      h.steps.filter((step) => step.kind === 'notice').map((step) => step.kind === 'notice' && step.notice),
    ).toEqual(['budget-low']);
    expect(historyAsText(h)).toContain('BUDGET-LOW: 20% of the budget spent');
  });

  // A run that continues-as-new can leave the time-skipping server a workflow task it never finishes
  // (see approvals.test.ts), which holds the server's clock: the time cap above, two days of waiting,
  // would then hang. The chain runs on a time-skipping server of its own.
  describe('across continue-as-new', () => {
    const chained = startedRuns(useTemporal('time-skipping'));

    it('holds exactly across continue-as-new: 25 calls over a chain of runs', async () => {
      const s = await chained.start('budgeted-debate', { pro: [argue('yes')], con: [argue('no')] });
      const r = await chained.result(s);
      expect(r.continuedAsNew).toBeGreaterThanOrEqual(1);
      expect(r).toMatchObject({ partial: true, stoppedBy: 'maxAgentCalls', agentCalls: 25 });
      expect(s.double.scripted.callsTo()).toBe(25);
    });
  });
});

describe('a budget that asks', () => {
  it('waits at the budget gate; refuses a raise by a non-approver or one that is not a raise; a raise lets the run finish', async () => {
    const s = await start('asking-team', { '*': [{ text: 'work' }] });
    await waitingAt(s.run, 'budget');
    expect((await s.run.progress())?.agentCalls).toBe(2);

    const refused = async (promise: Promise<unknown>) => {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      return (
        ((error as WorkflowUpdateFailedError).cause as { type?: string; message: string } | undefined) ?? {
          message: '',
        }
      );
    };
    const byBob = await refused(s.run.raiseBudget('bob', { calls: 10 }));
    expect(byBob).toMatchObject({ type: FailureType.DecisionRefused });
    expect(byBob.message).toContain('"bob" may not decide gate "budget"');
    expect((await refused(s.run.raiseBudget('ana', { calls: 2 }))).message).toContain('calls 2 is not above 2');
    expect((await refused(s.run.decide({ gate: 'budget', by: 'ana', decision: 'approve' }))).message).toContain(
      'approve with a raise',
    );

    const receipt = await s.run.raiseBudget('ana', { calls: 4 }, 'worth finishing');
    expect(receipt).toMatchObject({ gate: 'budget', accepted: true, by: 'ana' });
    const r = await result(s);
    expect(r).toMatchObject({ partial: false, agentCalls: 4, output: 'work' });
    expect(r.flags).toBeUndefined();

    const text = historyAsText(await history(s));
    expect(text).toContain('BUDGET-EXHAUSTED: maxAgentCalls reached');
    expect(text).toContain('decision REFUSED (approve on budget by bob via update raising the budget to {"calls":10})');
    expect(text).toContain(
      'decision approve on budget by ana via update raising the budget to {"calls":4}: "worth finishing"',
    );
    expect(text).toContain('BUDGET-RAISED: budget raised to {"calls":4}');
  });

  it('ends with its partial result when the raise is rejected', async () => {
    const s = await start('asking-team', { '*': [{ text: 'work' }] });
    await waitingAt(s.run, 'budget');
    await s.run.decide({ gate: 'budget', by: 'ana', decision: 'reject', comment: 'enough' });
    const r = await result(s);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxAgentCalls', agentCalls: 2, flags: ['budget-exhausted'] });
    expect(s.double.scripted.callsTo()).toBe(2);
  });
});

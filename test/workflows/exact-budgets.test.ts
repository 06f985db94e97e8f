import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { Usage } from '../../src/protocol/index.js';
import { startedRuns, waitingAt, type StartedRun } from '../support/budget-runs.js';
import { leadWorstCase } from '../support/budget-teams.js';
import { useTemporal } from '../support/temporal.js';

// Exact caps (issue 12): tokens, USD and time hold like the call cap, across calls in flight and sub-teams.
// The time-skipping server, real activities, the real SDK against the Messages API double.
const temporal = useTemporal('time-skipping');
const { start, result } = startedRuns(temporal);

/** Replays the run's history as it stands, as a worker taking over after a crash does: it must rebuild the same state. */
async function replays(s: StartedRun): Promise<void> {
  await Worker.runReplayHistory(
    { workflowBundle: temporal.bundle },
    await s.run.handle.fetchHistory(),
    s.run.workflowId,
  );
}

const tokens = (u: Usage) => u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;

describe('exact caps on tokens, USD and time', () => {
  it('keeps a timed-out call’s worst case spent: the API may have billed what it generated', async () => {
    // Each worst case is under 2,000 tokens, two are over 3,000: t1 times out (an optional step,
    // skipped), and what it held stays spent, so t2 does not fit any more.
    const s = await start('timed-out-on-tokens', {
      t1: [{ text: 'too late', delayMs: 5_000 }],
      t2: [{ text: 'done' }],
    });
    const r = await result(s);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxTokens', flags: ['budget-exhausted', 'degraded'] });
    expect(s.double.scripted.callsTo('t1')).toBe(1);
    expect(s.double.scripted.callsTo('t2')).toBe(0);
  });

  it('holds each call’s worst case while in flight: of three writers at once, only those whose worst case fits start', async () => {
    // maxTokens 1,000 and an input estimate under 1,000: two worst cases fit in 4,000 tokens, three do not.
    const s = await start('fan-on-tokens', {
      '*': [{ text: 'work', delayMs: 500, usage: { inputTokens: 300, outputTokens: 200 } }],
    });
    // While the two calls are in flight, a worker taking over replays what they hold and refuses the third again.
    const deadline = Date.now() + 10_000;
    while (s.double.scripted.callsTo() < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await replays(s);
    const r = await result(s);
    await replays(s);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxTokens', agentCalls: 2, flags: ['budget-exhausted'] });
    // The double adds a few cache tokens for the system prompt: they count towards the cap too.
    expect(r.usage.inputTokens + r.usage.outputTokens).toBe(1_000);
    expect(tokens(r.usage)).toBeLessThanOrEqual(4_000);
    expect(s.double.scripted.callsTo('w1')).toBe(1);
    expect(s.double.scripted.callsTo('w2')).toBe(1);
    expect(s.double.scripted.callsTo('w3')).toBe(0);
    expect(s.double.scripted.callsTo('editor')).toBe(0);
  });

  it('counts a delegating agent’s delegate tools in its worst case: a cap its call fits only without them stops before it', async () => {
    expect(leadWorstCase.delegateTools).toBeGreaterThan(1_500); // the cap leaves 1,500 tokens for the prompt, not the tool
    const s = await start('lead-on-tokens', { lead: [{ text: 'done alone' }] });
    const r = await result(s);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxTokens', agentCalls: 0, flags: ['budget-exhausted'] });
    expect(s.double.scripted.callsTo('lead')).toBe(0);
    await replays(s);
  });

  it('stops a call at the time cap: the call is cut off when the time runs out, and the result says so', async () => {
    const began = Date.now();
    const s = await start('slow-call', { w1: [{ text: 'slow', delayMs: 10_000 }], w2: [{ text: 'never' }] });
    const r = await result(s);
    expect(Date.now() - began).toBeLessThan(9_000);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxTime', agentCalls: 1, flags: ['budget-exhausted'] });
    expect(r.output).not.toBe('slow');
    expect(r.warnings.join('\n')).toContain('a call of w1 was stopped at the time cap');
    expect(s.double.scripted.callsTo('w1')).toBe(1);
    expect(s.double.scripted.callsTo('w2')).toBe(0);
  });

  it('takes a call the cap did not cut, timing out on its own near the cap, for the agent failing, not the cap', async () => {
    // w0 answers at 3 s of a 12 s cap; w1's call (its own total 6 s, less than the 9 s left) hangs, and its model
    // client gives up at about 8.4 s, within one attempt of the cap. It is w1's failure: w1 is optional, so it is
    // skipped and w2 answers. (Slack on a loaded machine: w1 may start up to 3 s late and still not be cut.)
    const s = await start('own-timeout-near-cap', {
      w0: [{ text: 'first', delayMs: 3_000 }],
      w1: [{ text: 'too late', delayMs: 60_000 }],
      w2: [{ text: 'last' }],
    });
    const r = await result(s);
    expect(r).toMatchObject({ partial: false, output: 'last', flags: ['degraded'] });
    expect(r.warnings.join('\n')).not.toContain('stopped at the time cap');
    expect(s.double.scripted.callsTo('w1')).toBe(1);
    expect(s.double.scripted.callsTo('w2')).toBe(1);
    await replays(s);
  });

  it('with a budget that asks, a call stopped at the time cap waits for a raise, then the member is called again', async () => {
    const s = await start('slow-call-asking', {
      w1: [{ text: 'slow', delayMs: 10_000 }, { text: 'quick' }],
      w2: [{ text: 'done' }],
    });
    await waitingAt(s.run, 'budget');
    await s.run.raiseBudget('ana', { time: 3_600_000 });
    const r = await result(s);
    expect(r).toMatchObject({ partial: false, agentCalls: 3, output: 'done' });
    expect(r.warnings.join('\n')).toContain('a call of w1 was stopped at the time cap');
    expect(s.double.scripted.callsTo('w1')).toBe(2);
    expect(s.double.scripted.callsTo('w2')).toBe(1);
  });
});

describe('sub-teams share what is left', () => {
  it('two sub-teams side by side under calls: 4 each get 2 (not 3 and 1)', async () => {
    const s = await start('two-leaves', { '*': [{ text: 'work' }] });
    const r = await result(s);
    expect(r.agentCalls).toBe(4);
    expect(['l1', 'l2', 'l3'].map((a) => s.double.scripted.callsTo(a))).toEqual([1, 1, 0]);
    expect(['m1', 'm2', 'm3'].map((a) => s.double.scripted.callsTo(a))).toEqual([1, 1, 0]);
    expect(r.warnings.join('\n')).toContain('sub-team budget-leaf ');
    expect(r.warnings.join('\n')).toContain('sub-team budget-leaf-b ');
  });

  it('two sub-teams side by side under tokens: each gets half of 11,000, so neither spends the other’s', async () => {
    // 2,000 tokens a call, a worst case of maxTokens 2,048 plus the input estimate: two calls fit in 5,500 each.
    const s = await start('two-leaves-on-tokens', {
      '*': [{ text: 'work', usage: { inputTokens: 300, outputTokens: 1_700 } }],
    });
    const r = await result(s);
    expect(['l1', 'l2', 'l3'].map((a) => s.double.scripted.callsTo(a))).toEqual([1, 1, 0]);
    expect(['m1', 'm2', 'm3'].map((a) => s.double.scripted.callsTo(a))).toEqual([1, 1, 0]);
    expect(r.agentCalls).toBe(4);
    expect(r.usage.inputTokens + r.usage.outputTokens).toBe(8_000);
    expect(tokens(r.usage)).toBeLessThanOrEqual(11_000);
  });

  it('sub-teams delegated to in one turn share what is left and leave the delegating agent its next turn', async () => {
    const s = await start('lead-of-leaves', {
      lead: [
        {
          toolUse: [
            { name: 'delegate_budget-leaf', input: { task: 'part A' } },
            { name: 'delegate_budget-leaf-b', input: { task: 'part B' } },
          ],
        },
        { text: 'A and B combined' },
      ],
      '*': [{ text: 'work' }],
    });
    const r = await result(s);
    // calls: 6 = the lead's first turn, 2 for each sub-team, the lead's last turn.
    expect(r).toMatchObject({ partial: false, agentCalls: 6, output: 'A and B combined' });
    expect(s.double.scripted.callsTo('lead')).toBe(2);
    expect(['l1', 'l2', 'l3'].map((a) => s.double.scripted.callsTo(a))).toEqual([1, 1, 0]);
    expect(['m1', 'm2', 'm3'].map((a) => s.double.scripted.callsTo(a))).toEqual([1, 1, 0]);
  });

  it('charges a failed sub-team’s tokens and calls to its parent', async () => {
    const s = await start('lead-of-failing', {
      lead: [
        {
          toolUse: [{ name: 'delegate_failing-leaf', input: { task: 'try it' } }],
          usage: { inputTokens: 100, outputTokens: 50 },
        },
        { text: 'it failed; here is why', usage: { inputTokens: 100, outputTokens: 50 } },
      ],
      f1: [{ text: 'first', usage: { inputTokens: 300, outputTokens: 200 } }],
      f2: [{ error: { status: 400, message: 'bad request' } }],
    });
    const r = await result(s);
    expect(r).toMatchObject({ partial: false, output: 'it failed; here is why' });
    expect(s.double.scripted.callsTo('f1')).toBe(1);
    expect(s.double.scripted.callsTo('f2')).toBe(1);
    expect(s.double.scripted.callsTo('f3')).toBe(0);
    // The lead's two turns (300 tokens) and the sub-team's two calls, the failed one included (500 tokens).
    expect(r.agentCalls).toBe(4);
    expect(r.usage.inputTokens + r.usage.outputTokens).toBe(800);
    await replays(s);
  });
});

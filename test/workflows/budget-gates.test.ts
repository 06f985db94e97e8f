import { describe, expect, it } from 'vitest';
import { readRunHistory } from '../../src/client/index.js';
import { historyAsText } from '../../src/cli/render-history.js';
import { startedRuns, waitingAt, type StartedRun } from '../support/budget-runs.js';
import { published } from '../support/degradation-teams.js';
import { useTemporal } from '../support/temporal.js';

// A budget gate asked while another gate waits, and which stops are flagged budget-exhausted (issue 12).
const temporal = useTemporal('time-skipping');
const { start, result } = startedRuns(temporal);

/** Waits (in real time) until the run's current activity matches. */
async function doing(s: StartedRun, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!pattern.test((await s.run.progress())?.activity ?? '')) {
    if (Date.now() > deadline) throw new Error(`the run never got to ${String(pattern)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a budget gate beside another gate', () => {
  it('waits its turn: the gate asked first stays open until decided, then the other opens; both decisions apply', async () => {
    published.length = 0;
    // Room for two calls: the publisher and w1 take them, w2 finds none and asks at the budget gate;
    // then the publisher's turn asks to call publish, a gate of its own, while the budget gate waits.
    const s = await start('gate-beside-budget', {
      publisher: [
        { toolUse: [{ name: 'publish', input: { text: 'the note' } }], delayMs: 300 },
        { json: { answer: 'published it' } },
      ],
      w1: [{ text: 'one' }],
      w2: [{ text: 'two' }],
    });
    await waitingAt(s.run, 'budget');
    await doing(s, /publish/); // the publisher's turn asked for its gate
    // The budget gate is still the one waiting (and the one `troupe pending` lists): the raise applies to it.
    expect((await s.run.progress())?.awaiting?.gate).toBe('budget');
    const raised = await s.run.raiseBudget('ana', { calls: 4 });
    expect(raised).toMatchObject({ gate: 'budget', accepted: true });

    await waitingAt(s.run, 'tool-publish');
    expect(published).toEqual([]);
    const approved = await s.run.decide({ gate: 'tool-publish', by: 'ana', decision: 'approve' });
    expect(approved).toMatchObject({ gate: 'tool-publish', accepted: true });

    const r = await result(s);
    expect(r).toMatchObject({
      partial: false,
      agentCalls: 4,
      output: { publisher: { answer: 'published it' }, w1: 'one', w2: 'two' },
    });
    expect(r.flags).toBeUndefined();
    expect(published).toEqual(['the note']);
    expect(s.double.scripted.callsTo('publisher')).toBe(2);
    expect(s.double.scripted.callsTo('w1')).toBe(1);
    expect(s.double.scripted.callsTo('w2')).toBe(1);
    const text = historyAsText(await readRunHistory(s.run.workflowId, await s.run.handle.fetchHistory()));
    expect(text).toContain('decision approve on budget by ana');
    expect(text).toContain('decision approve on tool-publish by ana');
    expect(text).not.toContain('REFUSED');
  });
});

describe('the budget-exhausted flag', () => {
  it('is not set when a team limit stops the run, even beside a budget: the result is partial, stoppedBy names the limit', async () => {
    const s = await start('limited-steps', { '*': [{ text: 'work' }] });
    const r = await result(s);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxAgentCalls', agentCalls: 2 });
    expect(r.flags).toBeUndefined();
    expect(s.double.scripted.callsTo()).toBe(2);
  });

  it('is set when the budget stops the run before the team limit', async () => {
    const s = await start('limited-steps', { '*': [{ text: 'work' }] }, { budget: { calls: 1 } });
    const r = await result(s);
    expect(r).toMatchObject({ partial: true, stoppedBy: 'maxAgentCalls', agentCalls: 1, flags: ['budget-exhausted'] });
    expect(s.double.scripted.callsTo()).toBe(1);
  });
});

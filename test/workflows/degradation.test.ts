import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/client/failure.js';
import { readRunHistory } from '../../src/client/index.js';
import { historyAsText } from '../../src/cli/render-history.js';
import { formatResult } from '../../src/cli/render.js';
import { FailureType } from '../../src/team/index.js';
import { startedRuns } from '../support/budget-runs.js';
import { useTemporal } from '../support/temporal.js';

// Graceful degradation (issue 12): an optional step that fails for good is skipped, the result flagged degraded.
const temporal = useTemporal('time-skipping');
const { start } = startedRuns(temporal);

const badRequest = { error: { status: 400, message: 'bad request' } };

describe('optional steps', () => {
  it('skips an optional critic that fails for good: the draft goes out unreviewed, flagged degraded, the reason in the history', async () => {
    const s = await start('optional-critic', { drafter: [{ text: 'the draft' }], critic: [badRequest] });
    const r = await s.run.result();
    expect(r).toMatchObject({ output: 'the draft', partial: false, flags: ['degraded'] });
    expect(r.degraded).toHaveLength(1);
    expect(r.degraded?.[0]).toMatchObject({ member: 'critic' });
    expect(r.degraded?.[0]?.reason).toContain('bad request');
    expect(r.warnings.some((w) => w.startsWith('optional step critic skipped'))).toBe(true);
    expect(s.double.scripted.callsTo('critic')).toBe(1); // a 400 is final: not retried
    const text = historyAsText(await readRunHistory(s.run.workflowId, await s.run.handle.fetchHistory()));
    expect(text).toMatch(/DEGRADED: optional step critic skipped: .*bad request/);
    expect(formatResult(r)).toContain('⚠ DEGRADED RESULT: optional step(s) skipped: critic.');
  });

  it('skips an optional critic that times out on every attempt', async () => {
    // The agent's timeout is 2 s and it has 3 attempts: the critic never answers in time.
    const s = await start('optional-critic', { drafter: [{ text: 'the draft' }], critic: [{ hang: true }] });
    const r = await s.run.result();
    expect(r).toMatchObject({ output: 'the draft', flags: ['degraded'] });
    expect(r.degraded?.[0]?.member).toBe('critic');
    expect(s.double.scripted.callsTo('critic')).toBe(3);
  }, 30_000);

  it('hands the work past an optional step that fails: the next step gets the step before it', async () => {
    const s = await start('optional-step', {
      drafter: [{ text: 'the draft' }],
      polisher: [badRequest],
      publisher: [{ text: 'published' }],
    });
    const r = await s.run.result();
    expect(r).toMatchObject({ output: 'published', flags: ['degraded'] });
    const publisher = JSON.stringify(s.double.scripted.requests.find((q) => q.agent === 'publisher')?.body.messages);
    expect(publisher).toContain('Output of drafter');
    expect(publisher).toContain('the draft');
    expect(r.transcript.filter((e) => e.kind === 'output').map((e) => e.from)).toEqual(['drafter', 'publisher']);
  });

  it('leaves an optional member that fails out of a fan-out', async () => {
    const s = await start('optional-member', { w1: [{ text: 'part one' }], w2: [badRequest] });
    const r = await s.run.result();
    expect(r).toMatchObject({ output: { w1: 'part one' }, flags: ['degraded'] });
  });

  it('still fails the run when the step is not optional', async () => {
    const s = await start('required-step', {
      drafter: [{ text: 'the draft' }],
      polisher: [badRequest],
      publisher: [{ text: 'published' }],
    });
    const failure = await s.run.result().then(
      () => undefined,
      (error: unknown) => describeFailure(error),
    );
    expect(failure?.type).toBe(FailureType.ModelBadRequest);
    expect(s.double.scripted.callsTo('publisher')).toBe(0);
  });
});

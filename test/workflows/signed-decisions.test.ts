import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DECISION_SECRET_ENV, readRunHistory, signDecision } from '../../src/client/index.js';
import { historyAsText } from '../../src/cli/render-history.js';
import { FailureType } from '../../src/team/index.js';
import { startRun, waitingAt, type StartedRun } from '../support/budget-runs.js';
import { useTemporal } from '../support/temporal.js';

// Signed decisions (issue 12): a gate decided by outside systems by signal takes only HMAC-signed decisions.
const temporal = useTemporal('time-skipping');
const SECRET = 'the-workers-secret';
const started: StartedRun[] = [];
beforeAll(() => {
  process.env[DECISION_SECRET_ENV] = SECRET; // the worker runs in this process
});
afterAll(() => {
  delete process.env[DECISION_SECRET_ENV];
});
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
});

async function waitingRun(): Promise<StartedRun> {
  const s = await startRun(temporal.env, temporal.bundle, 'signed-gate', { drafter: [{ text: 'release 1.2' }] });
  started.push(s);
  await waitingAt(s.run, 'deploy');
  return s;
}

const approve = { gate: 'deploy', by: 'ci-bot', decision: 'approve' as const, comment: 'tests green' };

describe('signed decisions', () => {
  it('refuses unsigned and forged decisions by signal, records each as refused, then accepts a correctly signed one', async () => {
    const s = await waitingRun();
    const id = s.run.workflowId;
    await s.run.signalDecision(approve); // unsigned
    await s.run.signalDecision(signDecision('a-guessed-secret', id, approve)); // forged
    await s.run.signalDecision(signDecision(SECRET, 'another-run', approve)); // replayed from another run
    await s.run.signalDecision({ ...signDecision(SECRET, id, approve), comment: 'tampered' }); // altered after signing
    // None applied: the run still waits.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await s.run.progress())?.awaiting?.gate).toBe('deploy');

    await s.run.signalDecision(signDecision(SECRET, id, approve));
    const r = await s.run.result();
    expect(r.output).toBe('release 1.2');

    const h = await readRunHistory(id, await s.run.handle.fetchHistory());
    const decisions = h.steps.filter((step) => step.kind === 'decision');
    expect(decisions.map((d) => d.kind === 'decision' && (d.refused ? 'refused' : 'accepted'))).toEqual([
      'refused',
      'refused',
      'refused',
      'refused',
      'accepted',
    ]);
    const reasons = decisions.map((d) => (d.kind === 'decision' ? d.refused : undefined));
    expect(reasons[0]).toContain('takes signed decisions only');
    for (const forged of reasons.slice(1, 4)) expect(forged).toContain('refused as forged');
    const text = historyAsText(h);
    expect(text.match(/decision REFUSED \(approve on deploy by ci-bot via signal/g)).toHaveLength(4);
    expect(text).toContain('decision approve on deploy by ci-bot via signal (signed): "tests green"');
    // The transcript keeps the refusals too.
    expect(
      r.transcript.filter((e) => e.kind === 'approval' && (e.content as { refused?: string }).refused),
    ).toHaveLength(4);
  });

  it('refuses a forged decision by update with DecisionRefused, and accepts a signed one', async () => {
    const s = await waitingRun();
    const error = await s.run.decide(signDecision('wrong', s.run.workflowId, approve)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((error as WorkflowUpdateFailedError).cause).toMatchObject({ type: FailureType.DecisionRefused });
    expect((error as WorkflowUpdateFailedError).cause?.message).toContain('refused as forged');
    const receipt = await s.run.decide(signDecision(SECRET, s.run.workflowId, approve));
    expect(receipt).toMatchObject({ gate: 'deploy', accepted: true, by: 'ci-bot' });
    expect((await s.run.result()).output).toBe('release 1.2');
  });

  it('still checks the approvers of a correctly signed decision', async () => {
    const s = await waitingRun();
    const error = await s.run
      .decide(signDecision(SECRET, s.run.workflowId, { ...approve, by: 'mallory' }))
      .catch((e: unknown) => e);
    expect((error as WorkflowUpdateFailedError).cause?.message).toContain('"mallory" may not decide gate "deploy"');
    await s.run.decide(signDecision(SECRET, s.run.workflowId, approve));
    await s.run.result();
  });
});

import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Worker, WorkflowBundle } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/client/failure.js';
import { TroupeClient, readRunHistory, type RunHandle } from '../../src/client/index.js';
import { historyAsMermaid, historyAsText } from '../../src/cli/render-history.js';
import type { MessagesScript } from '../../src/activities/index.js';
import { FailureType } from '../../src/team/index.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { registry, remindersSent } from '../support/teams.js';
import { bundleWorkflows, timeSkippingEnvironment, uniqueId } from '../support/temporal.js';

// Approvals that wait days, on the time-skipping server: each test takes milliseconds of real time.
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let double: MessagesApiDouble;
const started: { worker: Worker; running: Promise<void>; double: MessagesApiDouble }[] = [];

beforeAll(async () => {
  [env, bundle] = await Promise.all([timeSkippingEnvironment(), bundleWorkflows()]);
});
afterAll(async () => {
  await env?.teardown();
});
afterEach(async () => {
  for (const { worker, running, double } of started.splice(0)) {
    worker.shutdown();
    await running;
    await double.close();
  }
});

async function start(
  team: string,
  drafts = ['draft 1', 'draft 2', 'draft 3'],
  script: MessagesScript = {},
): Promise<RunHandle> {
  double = await startMessagesApiDouble({ drafter: drafts.map((text) => ({ text })), ...script });
  const taskQueue = uniqueId('tq');
  const worker = await createTroupeWorker({
    connection: env.nativeConnection,
    taskQueue,
    teams: registry,
    anthropic: double.client(),
    workflowBundle: bundle,
  });
  started.push({ worker, running: worker.run(), double });
  return new TroupeClient(env.client, registry, { taskQueue }).start(team, 'Write the release note.', {
    workflowId: uniqueId(team),
  });
}

/** Waits (in real time, without skipping) until the run waits on `gate`, after `agentCalls` calls if given. */
async function awaitingGate(run: RunHandle, gate: string, escalated = false, agentCalls?: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const progress = await run.progress();
    const calls = agentCalls === undefined || progress?.agentCalls === agentCalls;
    if (progress?.awaiting?.gate === gate && progress.awaiting.escalated === escalated && calls) return;
    if (Date.now() > deadline) throw new Error(`run never waited on gate ${gate}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The result of the chain's latest run. The start handle follows the chain from its first run,
 * which the time-skipping server sometimes never answers once a run continued-as-new.
 */
function latestResult(run: RunHandle) {
  return new TroupeClient(env.client, registry).run(run.workflowId).result();
}

async function failureOf(run: RunHandle) {
  return run.result().then(
    () => undefined,
    (error: unknown) => describeFailure(error),
  );
}

describe('approval gates', () => {
  it('holds for 3 simulated days, then completes on an approval signal', async () => {
    const realStart = Date.now();
    const run = await start('approve-in-week');
    await awaitingGate(run, 'publish');
    const progress = await run.progress();
    expect(progress?.activity).toMatch(/^awaiting approval of "publish" by ana until /);
    await env.sleep('3 days');
    expect((await run.handle.describe()).status.name).toBe('RUNNING');
    await run.signalDecision({ by: 'ana', decision: 'approve', comment: 'ship it' });
    const result = await run.result();
    expect(result.output).toBe('draft 1');
    const approval = result.transcript.find((e) => e.kind === 'approval');
    expect(approval).toMatchObject({
      from: 'ana',
      to: 'publish',
      content: { decision: 'approve', by: 'ana', comment: 'ship it', via: 'signal' },
    });
    expect(Date.parse(approval!.at) - Date.parse(result.transcript[0]!.at)).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(Date.now() - realStart).toBeLessThan(15_000);
  });

  it('rejects at the 24 h deadline under the reject policy, after reminding the approvers', async () => {
    remindersSent.length = 0;
    const run = await start('expire-reject');
    const failure = await failureOf(run);
    expect(failure).toMatchObject({ type: FailureType.ApprovalRejected });
    expect(failure?.message).toContain('deadline rejected "publish"');
    expect(remindersSent).toEqual([{ gate: 'publish', approvers: ['ana'], deadline: expect.any(String) as string }]);
  });

  it('approves at the deadline under the approve policy', async () => {
    const run = await start('expire-approve');
    const result = await run.result();
    expect(result.output).toBe('draft 1');
    expect(result.transcript.find((e) => e.kind === 'approval')?.content).toMatchObject({
      by: 'deadline',
      decision: 'approve',
      via: 'timeout',
    });
  });

  it('escalates at the deadline to another group, with a second deadline of its own', async () => {
    const run = await start('expire-escalate');
    await awaitingGate(run, 'publish');
    await env.sleep('25 hours');
    await awaitingGate(run, 'publish', true);
    expect((await run.progress())?.awaiting?.approvers).toEqual(['boss']);
    // The first group may no longer decide.
    await expect(run.decide({ by: 'ana', decision: 'approve' })).rejects.toThrow(WorkflowUpdateFailedError);
    await run.decide({ by: 'boss', decision: 'approve', comment: 'escalated and approved' });
    expect((await run.result()).output).toBe('draft 1');

    const expired = await start('expire-escalate');
    expect(await failureOf(expired)).toMatchObject({ type: FailureType.ApprovalRejected });
    const events = (await expired.handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.timerStartedEventAttributes).length).toBeGreaterThanOrEqual(2); // both deadlines
  });

  it('sends the work back on request-changes, with the comment, then asks again', async () => {
    const run = await start('approve-in-week');
    await awaitingGate(run, 'publish');
    await run.decide({ by: 'ana', decision: 'request-changes', comment: 'mention the migration' });
    await awaitingGate(run, 'publish');
    await run.decide({ by: 'ana', decision: 'approve' });
    const result = await run.result();
    expect(result.output).toBe('draft 2');
    expect(double.scripted.callsTo('drafter')).toBe(2);
    expect(JSON.stringify(double.scripted.requests[1]?.body.messages)).toContain('mention the migration');
  });

  it('refuses, through the update, an approver who is not allowed, and a decision for a gate that is not waiting', async () => {
    const run = await start('two-gates');
    await awaitingGate(run, 'publish');
    const refused = await run.decide({ by: 'mallory', decision: 'approve' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toContain(
      '"mallory" may not decide gate "publish": its approvers are ana',
    );
    const wrongGate = await run.decide({ gate: 'final', by: 'ana', decision: 'approve' }).catch((e: unknown) => e);
    expect(String((wrongGate as WorkflowUpdateFailedError).cause?.message)).toContain(
      'gate "final" is not waiting for a decision; "publish" is',
    );

    expect(await run.decide({ by: 'ana', decision: 'approve' })).toEqual({
      gate: 'publish',
      accepted: true,
      decision: 'approve',
      by: 'ana',
    });
    await awaitingGate(run, 'final');
    const duplicate = await run.decide({ gate: 'publish', by: 'ana', decision: 'reject' }).catch((e: unknown) => e);
    expect(String((duplicate as WorkflowUpdateFailedError).cause?.message)).toContain(
      'gate "publish" was already decided (by ana)',
    );
    await run.decide({ by: 'zoe', decision: 'approve' });
    expect((await run.result()).output).toBe('draft 1');
  });

  it('records and ignores a signal for the wrong gate or from the wrong person', async () => {
    const run = await start('approve-in-week');
    await awaitingGate(run, 'publish');
    await run.signalDecision({ gate: 'other', by: 'ana', decision: 'reject' });
    await run.signalDecision({ by: 'mallory', decision: 'reject' });
    await run.signalDecision({ by: 'ana', decision: 'approve' });
    const result = await run.result();
    expect(result.output).toBe('draft 1');
    const ignored = result.transcript.filter(
      (e) => e.kind === 'approval' && (e.content as { refused?: string }).refused,
    );
    expect(ignored.map((e) => (e.content as { refused: string }).refused)).toEqual([
      'gate "other" is not waiting for a decision; "publish" is',
      '"mallory" may not decide gate "publish": its approvers are ana',
    ]);
  });

  it("asks only when the agent's structured output requests approval", async () => {
    const sure = await start('ask-when-unsure', [], { asker: [{ json: { text: 'clear', needsApproval: false } }] });
    expect((await sure.result()).output).toEqual({ text: 'clear', needsApproval: false });
    expect((await sure.result()).transcript.some((e) => e.kind === 'approval')).toBe(false);

    const unsure = await start('ask-when-unsure', [], { asker: [{ json: { text: 'risky', needsApproval: true } }] });
    await awaitingGate(unsure, 'check');
    await unsure.decide({ by: 'ana', decision: 'approve' });
    expect((await unsure.result()).output).toEqual({ text: 'risky', needsApproval: true });
  });

  it("holds any topology's final answer for release, and redoes the work when changes are requested", async () => {
    const run = await start('released-route', [], {
      triage: [{ json: { route: 'alpha', reason: 'a' } }],
      alpha: [{ text: 'first answer' }, { text: 'second answer, with sources' }],
    });
    await awaitingGate(run, 'release');
    expect((await run.progress())?.awaiting?.subject).toContain('first answer');
    await run.decide({ by: 'ana', decision: 'request-changes', comment: 'cite sources' });
    await awaitingGate(run, 'release');
    await run.decide({ by: 'ana', decision: 'approve' });
    expect((await run.result()).output).toBe('second answer, with sources');
    expect(JSON.stringify(double.scripted.requests.filter((r) => r.agent === 'alpha')[1]?.body.messages)).toContain(
      'asking for these changes:\\ncite sources',
    );
  });

  it('keeps every refused decision in the event history: refused updates and ignored signals', async () => {
    const run = await start('approve-in-week');
    await awaitingGate(run, 'publish');
    await expect(run.decide({ by: 'mallory', decision: 'approve' })).rejects.toThrow(WorkflowUpdateFailedError);
    await run.signalDecision({ by: 'eve', decision: 'reject', comment: 'forged' });
    await run.signalDecision({ by: 'ana', decision: 'approve' });
    await run.result();
    await expect(run.decide({ by: 'ana', decision: 'approve' })).rejects.toThrow();

    const history = await readRunHistory(run.workflowId, await run.handle.fetchHistory());
    const decisions = history.steps.filter((s) => s.kind === 'decision');
    expect(decisions).toMatchObject([
      {
        via: 'update',
        decision: { by: 'mallory' },
        refused: '"mallory" may not decide gate "publish": its approvers are ana',
      },
      {
        via: 'signal',
        decision: { by: 'eve', comment: 'forged' },
        refused: '"eve" may not decide gate "publish": its approvers are ana',
      },
      { via: 'signal', decision: { by: 'ana', decision: 'approve' }, refused: undefined },
    ]);
    const text = historyAsText(history);
    expect(text).toContain('decision REFUSED (approve by mallory via update): "mallory" may not decide');
    expect(text).toContain('decision REFUSED (reject by eve via signal: "forged"): "eve" may not decide');
    expect(text).toMatch(/decision approve by ana via signal\n/);
    const mermaid = historyAsMermaid(history);
    expect(mermaid).toContain('mallory->>approve_in_week: refused approve via update');
    expect(mermaid).toContain('eve->>approve_in_week: refused reject via signal');
    expect(mermaid).toContain('ana->>approve_in_week: approve via signal');
  });

  // The time-skipping test server can lose a workflow task of a run that continues-as-new while it is
  // queried (the worker's completion is refused as "workflow execution already completed"): the run
  // stays open with a task in flight, which holds the server's clock for good, and every later test
  // that needs time skipped (deadlines, env.sleep) hangs. These runs continue-as-new while queried,
  // so they get a time-skipping server of their own, torn down after them.
  describe('after continue-as-new', () => {
    let shared: TestWorkflowEnvironment;
    beforeAll(async () => {
      shared = env;
      env = await timeSkippingEnvironment();
    });
    afterAll(async () => {
      const own = env;
      env = shared;
      await own?.teardown();
    });

    it('redoes the whole work with the comment when changes are requested after the run continued-as-new', async () => {
      const argue = (position: string) => ({ json: { position, argument: `because ${position}` } });
      const run = await start('released-debate', [], { pro: [argue('yes')], con: [argue('no')] });
      await awaitingGate(run, 'release');
      const first = await run.progress();
      expect(first?.continuedAsNew).toBeGreaterThan(0);
      expect(double.scripted.callsTo()).toBe(20);
      await run.decide({ by: 'ana', decision: 'request-changes', comment: 'weigh the cost' });
      await awaitingGate(run, 'release', false, 40);
      // All 10 rounds again, every call carrying the comment, even though the first pass was carried across runs.
      const again = double.scripted.requests.slice(20);
      expect(again).toHaveLength(20);
      expect(again.every((r) => JSON.stringify(r.body.messages).includes('weigh the cost'))).toBe(true);
      await run.decide({ by: 'ana', decision: 'request-changes', comment: 'and the risk' });
      await awaitingGate(run, 'release', false, 60);
      expect(double.scripted.requests.slice(40)).toHaveLength(20);
      expect(JSON.stringify(double.scripted.requests.at(-1)?.body.messages)).toContain('and the risk');
      await run.decide({ by: 'ana', decision: 'approve' });
      const result = await latestResult(run);
      expect(result.output).toMatchObject({ rounds: 10 });
      expect(result.agentCalls).toBe(60);
      const decisions = result.transcript
        .filter((e) => e.kind === 'approval')
        .map((e) => (e.content as { decision: string }).decision);
      expect(decisions).toEqual(['request-changes', 'request-changes', 'approve']);
    });

    it('a supervisor that continued-as-new also starts afresh on request-changes', async () => {
      const assign = { json: { done: false, answer: 'plan', assignments: [{ worker: 'alpha', task: 'dig' }] } };
      const finish = { json: { done: true, answer: 'final', assignments: [] } };
      const run = await start('released-supervisor', [], {
        boss: [...Array<typeof assign>(9).fill(assign), finish, ...Array<typeof assign>(9).fill(assign), finish],
        alpha: [{ text: 'found it' }],
      });
      await awaitingGate(run, 'release');
      expect((await run.progress())?.continuedAsNew).toBeGreaterThan(0);
      const before = double.scripted.callsTo('boss');
      expect(before).toBe(10);
      await run.decide({ by: 'ana', decision: 'request-changes', comment: 'be brief' });
      await awaitingGate(run, 'release', false, 38);
      const bossAgain = double.scripted.requests.filter((r) => r.agent === 'boss').slice(before);
      expect(bossAgain).toHaveLength(10);
      expect(JSON.stringify(bossAgain[0]?.body.messages)).toContain('be brief');
      expect(JSON.stringify(bossAgain[0]?.body.messages)).toContain('round 1 of at most 20');
      await run.decide({ by: 'ana', decision: 'approve' });
      expect((await latestResult(run)).output).toBe('final');
    });
  });
});

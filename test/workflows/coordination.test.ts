import { describe, expect, it } from 'vitest';
import { until } from '../support/until.js';
import { FailureType } from '../../src/team/index.js';
import { TroupeClient, type RunResult } from '../../src/client/index.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { runTeam } from '../support/run-team.js';
import { registry } from '../support/teams.js';
import { uniqueId, useTemporal } from '../support/temporal.js';

// Supervisor, router, hierarchy, fan-out, handoff and budgets on the time-skipping server, with
// real activities and the real SDK against the Messages API double.
const temporal = useTemporal('time-skipping');

const assign = (...pairs: [string, string][]) => ({
  json: { done: false, answer: 'plan', assignments: pairs.map(([worker, task]) => ({ worker, task })) },
});
const finish = (answer: string) => ({ json: { done: true, answer, assignments: [] } });

describe('supervisor', () => {
  it('runs the assigned workers concurrently and synthesises their results', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'supervised', 'Assess the launch.', {
      boss: [assign(['alpha', 'market view'], ['beta', 'tech view']), finish('go')],
      alpha: [{ text: 'market is ready', delayMs: 400 }],
      beta: [{ text: 'tech is ready', delayMs: 400 }],
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result.output).toBe('go');
    const [alpha, beta] = ['alpha', 'beta'].map((a) => outcome.double.scripted.requests.find((r) => r.agent === a)!);
    // Both workers were asked before either could have answered (each reply takes 400 ms).
    expect(Math.abs(alpha!.receivedAt - beta!.receivedAt)).toBeLessThan(400);
    // The supervisor's second decision saw both results, fenced as data.
    const second = JSON.stringify(outcome.double.scripted.requests.filter((r) => r.agent === 'boss')[1]?.body.messages);
    expect(second).toContain('Result from alpha for \\"market view\\" (data, not instructions)');
    expect(second).toContain('tech is ready');
    expect(outcome.result.transcript.map((e) => `${e.kind}:${e.from}->${e.to}`)).toEqual([
      'task:user->boss',
      'decision:boss->workers',
      'assignment:boss->alpha',
      'assignment:boss->beta',
      'output:alpha->boss',
      'output:beta->boss',
      'decision:boss->user',
      'result:boss->user',
    ]);
  });

  it('repairs a decision naming an unknown worker, then fails with InvalidDecision', async () => {
    const repaired = await runTeam(temporal.env, temporal.bundle, 'supervised', 'x', {
      boss: [assign(['gamma', 'x']), assign(['alpha', 'x']), finish('ok')],
      alpha: [{ text: 'done' }],
    });
    expect(repaired.ok && repaired.result.output).toBe('ok');
    expect(
      JSON.stringify(repaired.double.scripted.requests.filter((r) => r.agent === 'boss')[1]?.body.messages),
    ).toContain('unknown worker(s) \\"gamma\\"');

    const failed = await runTeam(temporal.env, temporal.bundle, 'supervised', 'x', { boss: [assign(['gamma', 'x'])] });
    expect(!failed.ok && failed.failure.type).toBe(FailureType.InvalidDecision);
    expect(failed.double.scripted.callsTo('boss')).toBe(2); // the decision plus maxRepairs: 1
  });

  it('ends at its round limit with a flagged partial result', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'supervised', 'x', {
      boss: [assign(['alpha', 'again'])],
      alpha: [{ text: 'partial work' }],
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result).toMatchObject({ partial: true, stoppedBy: 'maxRounds', output: 'partial work' });
    expect(outcome.double.scripted.callsTo('boss')).toBe(3);
  });

  it('stops at the token/call budget with a flagged partial result, never looping on', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'budgeted', 'x', {
      boss: [assign(['alpha', 'more'], ['beta', 'more'])],
      alpha: [{ text: 'a' }],
      beta: [{ text: 'b' }],
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result).toMatchObject({ partial: true, stoppedBy: 'maxAgentCalls', agentCalls: 4 });
    expect(outcome.double.scripted.callsTo()).toBe(4);
  });
});

describe('budgets', () => {
  it('stops at the token budget with a flagged partial result', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'token-budget', 'x', {
      boss: [{ ...assign(['alpha', 'work']), usage: { inputTokens: 300, outputTokens: 100 } }],
      alpha: [{ text: 'a', usage: { inputTokens: 400, outputTokens: 300 } }],
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result).toMatchObject({ partial: true, stoppedBy: 'maxTokens', agentCalls: 2 });
    expect(outcome.double.scripted.callsTo()).toBe(2);
  });

  it('hands sub-teams what is left of the budget, so the whole tree stays within it', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'budget-tree', 'x', {
      boss: [assign(['middle', 'check'])],
      'middle/alpha': [{ text: 'plan ok' }],
      'leaf/gamma': [{ text: 'leaf ok' }],
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    // boss (1) + middle's alpha (1) + leaf's gamma (1) = the limit of 3: the boss is not asked again.
    expect(outcome.result).toMatchObject({ partial: true, stoppedBy: 'maxAgentCalls', agentCalls: 3 });
    expect(outcome.double.scripted.callsTo()).toBe(3);
  });
});

describe('router', () => {
  it('sends the input to exactly one specialist', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'routed', 'My invoice is wrong.', {
      triage: [{ json: { route: 'beta', reason: 'billing' } }],
      beta: [{ text: 'refund issued' }],
    });
    expect(outcome.ok && outcome.result.output).toBe('refund issued');
    expect(outcome.double.scripted.callsTo('alpha')).toBe(0);
    expect(outcome.ok && outcome.result.transcript.find((e) => e.kind === 'route')).toMatchObject({
      from: 'triage',
      to: 'beta',
    });
  });

  it('repairs an unknown route', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'routed', 'x', {
      triage: [{ json: { route: 'billing', reason: '?' } }, { json: { route: 'alpha', reason: 'ok' } }],
      alpha: [{ text: 'handled' }],
    });
    expect(outcome.ok && outcome.result.output).toBe('handled');
  });
});

describe('hierarchy', () => {
  it('runs sub-teams as child workflows three deep, linking each and summing their usage', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'top', 'Ship it?', {
      boss: [assign(['middle', 'check the plan'], ['beta', 'check the code']), finish('ship')],
      'middle/alpha': [{ text: 'plan ok', usage: { inputTokens: 10, outputTokens: 10 } }],
      'leaf/gamma': [{ text: 'leaf review ok', usage: { inputTokens: 100, outputTokens: 100 } }],
      beta: [{ text: 'code ok' }],
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    const fromMiddle = outcome.result.transcript.find((e) => e.from === 'middle');
    expect(fromMiddle?.content).toBe('leaf review ok');
    const middleId = fromMiddle?.childWorkflowId;
    expect(middleId).toBe(`${outcome.workflowId}/middle-0.1`);
    const middle = (await temporal.env.client.workflow.getHandle(middleId!).result()) as RunResult;
    const leafEnvelope = middle.transcript.find((e) => e.from === 'leaf');
    expect(leafEnvelope?.childWorkflowId).toBe(`${middleId}/leaf-0.1`);
    expect((await temporal.env.client.workflow.getHandle(leafEnvelope!.childWorkflowId!).describe()).status.name).toBe(
      'COMPLETED',
    );
    // 2 boss + 1 beta + 1 alpha (middle) + 1 gamma (leaf); the leaf's 100+100 tokens reach the top.
    expect(outcome.result.agentCalls).toBe(5);
    expect(outcome.result.usage.inputTokens).toBeGreaterThanOrEqual(110);
  });

  it("fails the parent with the child's failure type", async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'top', 'x', {
      boss: [assign(['middle', 'check'])],
      'middle/alpha': [{ error: { status: 400, message: 'bad request in the middle' } }],
    });
    expect(!outcome.ok && outcome.failure.type).toBe(FailureType.ModelBadRequest);
    expect(!outcome.ok && outcome.failure.message).toContain('bad request in the middle');
  });
});

describe('cancellation', () => {
  it('cancelling a parent cancels its running sub-team', async () => {
    const double = await startMessagesApiDouble({
      boss: [assign(['middle', 'slow work'])],
      'middle/alpha': [{ hang: true }],
    });
    const taskQueue = uniqueId('tq');
    try {
      const worker = await createTroupeWorker({
        connection: temporal.env.nativeConnection,
        taskQueue,
        teams: registry,
        anthropic: double.client(),
        workflowBundle: temporal.bundle,
      });
      await worker.runUntil(async () => {
        const run = await new TroupeClient(temporal.env.client, registry, { taskQueue }).start('top', 'x', {
          workflowId: uniqueId('top'),
        });
        const childId = `${run.workflowId}/middle-0.1`;
        await until(
          async () =>
            (
              await temporal.env.client.workflow
                .getHandle(childId)
                .describe()
                .catch(() => undefined)
            )?.status.name === 'RUNNING',
        );
        await until(() => double.scripted.callsTo('alpha') === 1);
        await run.handle.cancel();
        await expect(run.result()).rejects.toThrow();
        await until(
          async () => (await temporal.env.client.workflow.getHandle(childId).describe()).status.name === 'CANCELLED',
        );
        expect((await run.handle.describe()).status.name).toBe('CANCELLED');
      });
    } finally {
      await double.close();
    }
  });
});

describe('parallel steps', () => {
  it('merges sections by member and takes the majority answer in a vote', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'fanned', 'x', {
      alpha: [{ text: 'section A' }, { text: 'Yes' }],
      beta: [{ text: 'section B' }, { text: 'no' }],
      gamma: [{ text: 'yes ' }],
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result.transcript.find((e) => e.from.startsWith('parallel(alpha, beta)'))?.content).toEqual({
      alpha: 'section A',
      beta: 'section B',
    });
    expect(outcome.result.output).toBe('Yes');
  });
});

describe('handoff', () => {
  it('passes control between peers until one answers', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'desks', 'I was double charged.', {
      front: [{ json: { handoffTo: 'billing', answer: 'customer reports a double charge' } }],
      billing: [{ json: { handoffTo: '', answer: 'refunded the duplicate charge' } }],
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result.output).toBe('refunded the duplicate charge');
    expect(outcome.result.transcript.find((e) => e.kind === 'handoff')).toMatchObject({ from: 'front', to: 'billing' });
    expect(
      JSON.stringify(outcome.double.scripted.requests.find((r) => r.agent === 'billing')?.body.messages),
    ).toContain('customer reports a double charge');
  });

  it('repairs a handoff to an unknown peer, and flags a run that only hands off', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'desks', 'x', {
      front: [{ json: { handoffTo: 'sales', answer: '?' } }, { json: { handoffTo: 'tech', answer: 'to tech' } }],
      tech: [{ json: { handoffTo: 'front', answer: 'back to front' } }],
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result).toMatchObject({ partial: true, stoppedBy: 'maxRounds' });
  });
});

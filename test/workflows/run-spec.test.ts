import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/client/failure.js';
import { agentFingerprint, buildRunSpec } from '../../src/protocol/index.js';
import type { RunResult } from '../../src/protocol/messages.js';
import { FailureType } from '../../src/team/index.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { registry } from '../support/teams.js';
import { uniqueId, useTemporal } from '../support/temporal.js';

// A run started without Troupe's client (e.g. `temporal workflow start`) carries a spec nobody
// checked: the workflow checks it itself, loading the run spec's schemas only then.
const temporal = useTemporal('time-skipping');

/** Starts the pipeline workflow with `spec` as its input, straight through Temporal's client. */
async function startByHand(spec: unknown): Promise<
  ({ ok: true; result: RunResult } | { ok: false; type: string | undefined; message: string }) & {
    calls: () => Promise<Record<string, unknown>[]>;
  }
> {
  const double = await startMessagesApiDouble({
    extractor: [{ json: { answer: 42 } }],
    drafter: [{ text: 'The answer is 42.' }],
  });
  const taskQueue = uniqueId('tq');
  const workflowId = uniqueId('by-hand');
  // The input of each agent call the run scheduled, as its history records it.
  const calls = async () => {
    const history = await temporal.env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((event) => {
      const input = event.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data;
      return input ? [JSON.parse(Buffer.from(input).toString('utf8')) as Record<string, unknown>] : [];
    });
  };
  try {
    const worker = await createTroupeWorker({
      connection: temporal.env.nativeConnection,
      taskQueue,
      teams: registry,
      anthropic: double.client(),
      workflowBundle: temporal.bundle,
    });
    return await worker.runUntil(
      temporal.env.client.workflow
        .execute<(spec: unknown) => Promise<RunResult>>('pipeline', { taskQueue, workflowId, args: [spec] })
        .then(
          (result) => ({ ok: true as const, result, calls }),
          (error: unknown) => ({ ok: false as const, ...describeFailure(error), calls }),
        ),
    );
  } finally {
    await double.close();
  }
}

describe('a run spec started by hand', () => {
  const team = registry.find('extract-then-write');
  if (!team) throw new Error('test team extract-then-write is missing');
  const { checked: _checked, ...unmarked } = buildRunSpec(team, 'What is six times seven?');

  it('runs when it is valid, though no client checked it', async () => {
    const outcome = await startByHand(unmarked);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.result.output).toBe('The answer is 42.');
    expect(outcome.result.agentCalls).toBe(2);
    // No client made its fingerprints, so nothing says they match: its calls carry whole agents.
    const { fingerprint: _e, ...extractor } = unmarked.team.agents[0]!;
    const { fingerprint: _d, ...drafter } = unmarked.team.agents[1]!;
    expect((await outcome.calls()).map((call) => call['agent'])).toEqual([extractor, drafter]);
  });

  it('names each agent by fingerprint in its calls when the client checked the spec: the whole spec is in the start, once', async () => {
    const outcome = await startByHand({ ...unmarked, checked: true });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.result.output).toBe('The answer is 42.');
    const agents = (await outcome.calls()).map((call) => call['agent']);
    expect(agents).toEqual(
      unmarked.team.agents.map((agent) => ({
        name: agent.name,
        role: agent.role,
        model: agent.model,
        fingerprint: agentFingerprint(agent),
      })),
    );
  });

  it('sends each call the whole agent spec when the run has no fingerprints (runs started by earlier clients)', async () => {
    const withoutFingerprints = {
      ...unmarked,
      team: { ...unmarked.team, agents: unmarked.team.agents.map(({ fingerprint: _fingerprint, ...agent }) => agent) },
    };
    const outcome = await startByHand({ ...withoutFingerprints, checked: true });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.result.output).toBe('The answer is 42.');
    expect((await outcome.calls()).map((call) => call['agent'])).toEqual(withoutFingerprints.team.agents);
  });

  it('fails with InvalidTeamSpec naming the problem when it is not', async () => {
    const outcome = await startByHand({
      ...unmarked,
      team: { ...unmarked.team, limits: { ...unmarked.team.limits, maxAgentCalls: -1 } },
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.type).toBe(FailureType.InvalidTeamSpec);
    expect(outcome.message).toContain('The run spec');
    expect(outcome.message).toContain('maxAgentCalls');
  });

  it('gets the full check when it is marked checked but is not shaped like a run spec', async () => {
    const outcome = await startByHand({
      ...unmarked,
      checked: true,
      team: { ...unmarked.team, agents: 'extractor, drafter' },
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.type).toBe(FailureType.InvalidTeamSpec);
    expect(outcome.message).toContain('agents');
  });
});

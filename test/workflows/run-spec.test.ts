import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/client/failure.js';
import { buildRunSpec } from '../../src/protocol/index.js';
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
async function startByHand(spec: unknown): Promise<{ ok: true; result: RunResult } | { ok: false; type: string | undefined; message: string }> {
  const double = await startMessagesApiDouble({ extractor: [{ json: { answer: 42 } }], drafter: [{ text: 'The answer is 42.' }] });
  const taskQueue = uniqueId('tq');
  try {
    const worker = await createTroupeWorker({ connection: temporal.env.nativeConnection, taskQueue, teams: registry, anthropic: double.client(), workflowBundle: temporal.bundle });
    return await worker.runUntil(
      temporal.env.client.workflow.execute<(spec: unknown) => Promise<RunResult>>('pipeline', { taskQueue, workflowId: uniqueId('by-hand'), args: [spec] }).then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, ...describeFailure(error) }),
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
  });

  it('fails with InvalidTeamSpec naming the problem when it is not', async () => {
    const outcome = await startByHand({ ...unmarked, team: { ...unmarked.team, limits: { ...unmarked.team.limits, maxAgentCalls: -1 } } });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.type).toBe(FailureType.InvalidTeamSpec);
    expect(outcome.message).toContain('The run spec');
    expect(outcome.message).toContain('maxAgentCalls');
  });

  it('gets the full check when it is marked checked but is not shaped like a run spec', async () => {
    const outcome = await startByHand({ ...unmarked, checked: true, team: { ...unmarked.team, agents: 'extractor, drafter' } });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.type).toBe(FailureType.InvalidTeamSpec);
    expect(outcome.message).toContain('agents');
  });
});

import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createActivities, createFilePayloadStore, type AgentCallInput } from '../../src/activities/index.js';
import { describeFailure } from '../../src/client/failure.js';
import { TroupeClient } from '../../src/client/index.js';
import { FailureType } from '../../src/team/index.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTeam } from '../support/run-team.js';
import { registry } from '../support/teams.js';
import { uniqueId, useTemporal } from '../support/temporal.js';

// The decision a step reads (a route, a verdict, ...) is checked by the activity, which has zod
// loaded anyway; the workflow checks it itself only for a worker that did not (an older one).
const temporal = useTemporal('time-skipping');

/** The activity failures in a run's history, by failure type. */
async function activityFailures(workflowId: string): Promise<string[]> {
  const history = await temporal.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.activityTaskFailedEventAttributes
      ? [
          e.activityTaskFailedEventAttributes.failure?.cause?.applicationFailureInfo?.type ??
            e.activityTaskFailedEventAttributes.failure?.applicationFailureInfo?.type ??
            '?',
        ]
      : [],
  );
}

describe('the decision a step reads', () => {
  it('is checked by the activity: an answer outside it is sent back for repair, then fails the run with InvalidDecision', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'loose-router', 'x', {
      loose: [{ json: { route: 'alpha' } }],
      alpha: [{ text: 'a' }],
    });
    expect(!outcome.ok && outcome.failure.type).toBe(FailureType.InvalidDecision);
    expect(!outcome.ok && outcome.failure.message).toContain('reason');
    expect(outcome.double.scripted.callsTo('loose')).toBe(2); // the answer plus maxRepairs: 1
    expect(JSON.stringify(outcome.double.scripted.requests[1]?.body.messages)).toContain(
      'the answer is not the shape this step reads',
    );
    expect(await activityFailures(outcome.workflowId)).toEqual([
      FailureType.InvalidDecision,
      FailureType.InvalidDecision,
    ]);
  });

  it('is checked by the workflow when the worker does not say it checked it, with the same outcome', async () => {
    const double = await startMessagesApiDouble({ loose: [{ json: { route: 'alpha' } }], alpha: [{ text: 'a' }] });
    const taskQueue = uniqueId('tq');
    const activities = createActivities({
      anthropic: double.client(),
      teams: registry,
      payloads: createFilePayloadStore(mkdtempSync(join(tmpdir(), 'troupe-payloads-'))),
    });
    // A worker from before the check moved into the activity: it neither reads `reads` nor echoes it.
    const olderWorker = await Worker.create({
      connection: temporal.env.nativeConnection,
      taskQueue,
      workflowBundle: temporal.bundle,
      activities: {
        ...activities,
        runAgent: async ({ reads: _reads, ...input }: AgentCallInput) => activities.runAgent(input),
      },
    });
    try {
      const run = await olderWorker.runUntil(async () => {
        const handle = await new TroupeClient(temporal.env.client, registry, { taskQueue }).start('loose-router', 'x', {
          workflowId: uniqueId('older'),
        });
        return { workflowId: handle.workflowId, failure: await handle.result().then(() => undefined, describeFailure) };
      });
      expect(run.failure?.type).toBe(FailureType.InvalidDecision);
      expect(run.failure?.message).toContain('reason');
      expect(double.scripted.callsTo('loose')).toBe(2);
      expect(JSON.stringify(double.scripted.requests[1]?.body.messages)).toContain(
        'the answer is not the shape this step reads',
      );
      expect(await activityFailures(run.workflowId)).toEqual([]); // both answers completed; the workflow refused them
    } finally {
      await double.close();
    }
  });
});

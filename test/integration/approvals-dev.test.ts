import { describe, expect, it } from 'vitest';
import { until } from '../support/until.js';
import { describeFailure } from '../../src/client/failure.js';
import { TroupeClient, type PendingRun, type RunHandle } from '../../src/client/index.js';
import { FailureType } from '../../src/team/index.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { ensureSearchAttributes } from '../../src/hosting/index.js';
import { troupe } from '../support/cli.js';
import type { MessagesScript } from '../../src/activities/index.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { registry } from '../support/teams.js';
import { uniqueId, useTemporal } from '../support/temporal.js';

// Approvals on the real dev server: across a worker restart, findable by search attribute, and
// decided from the troupe CLI run as a child process.
const temporal = useTemporal('dev-server');
const cluster = (): Record<string, string> => ({
  TEMPORAL_ADDRESS: temporal.env.address,
  TEMPORAL_NAMESPACE: 'default',
});

/** Runs `body` with a worker for the test teams, the double answering `script`, and a client on its task queue. */
async function withWorker(script: MessagesScript, body: (client: TroupeClient) => Promise<void>): Promise<void> {
  const double = await startMessagesApiDouble(script);
  const taskQueue = uniqueId('tq');
  const worker = await createTroupeWorker({
    connection: temporal.env.nativeConnection,
    taskQueue,
    teams: registry,
    anthropic: double.client(),
    workflowBundle: temporal.bundle,
  });
  try {
    await worker.runUntil(body(new TroupeClient(temporal.env.client, registry, { taskQueue, searchAttributes: true })));
  } finally {
    await double.close();
  }
}

const waiting = (run: RunHandle) => until(async () => (await run.progress())?.awaiting?.gate === 'publish');

describe('approvals on the dev server', () => {
  it('survives a worker restart while waiting: the approval completes the run, no agent call repeated', async () => {
    const double = await startMessagesApiDouble({ drafter: [{ text: 'the draft' }] });
    const taskQueue = uniqueId('tq');
    const newWorker = () =>
      createTroupeWorker({
        connection: temporal.env.nativeConnection,
        taskQueue,
        teams: registry,
        anthropic: double.client(),
        workflowBundle: temporal.bundle,
      });
    try {
      const client = new TroupeClient(temporal.env.client, registry, {
        taskQueue,
        searchAttributes: await ensureSearchAttributes(temporal.env.client, 'default'),
      });
      const first = await newWorker();
      const firstRun = first.run();
      const run = await client.start('approve-in-week', 'Write the release note.', { workflowId: uniqueId('restart') });
      await waiting(run);
      first.shutdown(); // the worker goes away while the run waits for a person
      await firstRun;

      // The run is listed as awaiting approval by its search attributes, with no worker alive.
      await until(
        async () =>
          (
            await temporal.env.client.workflow.count(
              `TroupeAwaitingApproval = true AND TroupeTopology = 'pipeline' AND TroupeTeam = 'approve-in-week' AND WorkflowId = '${run.workflowId}'`,
            )
          ).count === 1,
      );

      const second = await newWorker();
      await second.runUntil(async () => {
        expect(await run.decide({ by: 'ana', decision: 'approve', comment: 'after the restart' })).toMatchObject({
          accepted: true,
        });
        expect((await run.result()).output).toBe('the draft');
      });
      expect(double.scripted.callsTo('drafter')).toBe(1);
      await until(
        async () =>
          (
            await temporal.env.client.workflow.count(
              `TroupeAwaitingApproval = false AND WorkflowId = '${run.workflowId}'`,
            )
          ).count === 1,
      );
    } finally {
      await double.close();
    }
  });

  it('troupe pending, approve and reject, from the command line', async () => {
    await withWorker({ drafter: [{ text: 'the draft' }] }, async (client) => {
      const toApprove = await client.start('approve-in-week', 'First note.', { workflowId: uniqueId('cli-approve') });
      const toReject = await client.start('approve-in-week', 'Second note.', { workflowId: uniqueId('cli-reject') });
      await Promise.all([waiting(toApprove), waiting(toReject)]);

      await until(async () => {
        const listed = await troupe(['pending', '--json'], cluster());
        const ids = (JSON.parse(listed.stdout) as { workflowId: string }[]).map((p) => p.workflowId);
        return ids.includes(toApprove.workflowId) && ids.includes(toReject.workflowId);
      });
      const awaiting = await troupe(['list', '--status', 'awaiting-approval', '--json'], cluster());
      expect((JSON.parse(awaiting.stdout) as { workflowId: string }[]).map((r) => r.workflowId)).toEqual(
        expect.arrayContaining([toApprove.workflowId, toReject.workflowId]),
      );
      const listed = await troupe(['pending'], cluster());
      expect(listed.stdout).toContain(`${toApprove.workflowId}  approve-in-week  gate "publish" by ana until `);

      const refused = await troupe(['approve', toApprove.workflowId, '--by', 'mallory'], cluster());
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `Run ${toApprove.workflowId} refused the decision: "mallory" may not decide gate "publish": its approvers are ana`,
      );

      const approved = await troupe(
        ['approve', toApprove.workflowId, '--by', 'ana', '--comment', 'looks good'],
        cluster(),
      );
      expect(approved).toMatchObject({
        code: 0,
        stdout: `Approved gate "publish" of ${toApprove.workflowId} (by ana).\n`,
      });
      expect((await toApprove.result()).output).toBe('the draft');

      // History works on a run that is still waiting: its agent call is done, no end yet.
      const live = await troupe(['history', toReject.workflowId, '--format', 'json'], cluster());
      const liveRun = JSON.parse(live.stdout) as { steps: { kind: string }[] };
      expect(liveRun.steps.map((s) => s.kind)).toEqual(['agent']);

      const rejected = await troupe(
        ['reject', toReject.workflowId, '--by', 'ana', '--comment', 'wrong audience'],
        cluster(),
      );
      expect(rejected.code).toBe(0);
      const failure = await toReject.result().then(
        () => undefined,
        (e: unknown) => describeFailure(e),
      );
      expect(failure).toMatchObject({
        type: FailureType.ApprovalRejected,
        message: 'ana rejected "publish": wrong audience',
      });

      const shown = await troupe(['status', toApprove.workflowId], cluster());
      expect(shown.stdout).toMatch(/✔ ana → publish {2}approve \(update\): looks good/);
    });
  });

  it("lists a sub-team's release gate with its parent, decided on the sub-team's own run", async () => {
    await withWorker({ alpha: [{ text: 'notes' }], gamma: [{ text: 'leaf answer' }] }, async (client) => {
      const parent = await client.start('parent-of-released', 'Nested release.', { workflowId: uniqueId('parent') });
      let child: PendingRun | undefined;
      await until(
        async () =>
          (child = (await client.pending()).find((p) => p.parentWorkflowId === parent.workflowId)) !== undefined,
      );
      expect(child).toMatchObject({ team: 'released-leaf', awaiting: { gate: 'leaf-release' } });
      expect(child!.workflowId.startsWith(`${parent.workflowId}/released-leaf-`)).toBe(true);
      const listed = await troupe(['pending'], cluster());
      expect(listed.stdout).toContain(`${child!.workflowId}  released-leaf  gate "leaf-release"`);
      expect(listed.stdout).toContain(`(sub-team of ${parent.workflowId}; decide on this id)`);
      await client.run(child!.workflowId).decide({ by: 'ana', decision: 'approve' });
      expect((await parent.result()).output).toBe('leaf answer');
    });
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { temporal as temporalProto } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { TroupeClient, type RunHandle } from '../../src/client/index.js';
import { resolveTemporalBinary } from '../../src/hosting/index.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { spawnTroupe, troupe } from '../support/cli.js';
import { registry } from '../support/teams.js';
import { uniqueId, useTemporal } from '../support/temporal.js';
import { until } from '../support/until.js';

// Deploying a new version of a topology while runs are in flight, with Temporal's worker versioning
// on the dev server: a run pinned to build v1 finishes on v1 while new runs start on v2, whose
// pipeline has a change that v1's runs could not replay.
const temporal = useTemporal('dev-server');
const V2_WORKFLOWS = fileURLToPath(new URL('../fixtures/workflows-v2.ts', import.meta.url));

const temporalCli = (): string => {
  const binary = resolveTemporalBinary('dev-server');
  return binary.type === 'existing-path' ? binary.path : 'temporal';
};

/** What operators run to roll out a build: the Temporal CLI's own command. */
async function setCurrentVersion(deploymentName: string, buildId: string): Promise<void> {
  // The version exists once one of its workers has polled: retry until it has.
  await until(async () => {
    const done = await promisify(execFile)(temporalCli(), [
      'worker',
      'deployment',
      'set-current-version',
      '--address',
      temporal.env.address,
      '--deployment-name',
      deploymentName,
      '--build-id',
      buildId,
      '--yes',
    ]).then(
      () => true,
      () => false,
    );
    return done;
  }, 60_000);
  // The new routing reaches the task queue's partitions shortly after the command returns: wait for it, so the
  // next run starts on this version.
  await until(async () => {
    const { workerDeploymentInfo: info } = await temporal.env.client.workflowService.describeWorkerDeployment({
      namespace: 'default',
      deploymentName,
    });
    return (
      info?.routingConfig?.currentDeploymentVersion?.buildId === buildId &&
      info.routingConfigUpdateState !==
        temporalProto.api.enums.v1.RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS
    );
  });
}

/** The build id that completed each workflow task of the run, in order. */
async function buildIds(run: RunHandle): Promise<string[]> {
  const history = await temporal.env.client.workflow.getHandle(run.workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.workflowTaskCompletedEventAttributes
      ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId ?? 'unversioned']
      : [],
  );
}

const awaitingPublish = (run: RunHandle) =>
  until(async () => (await run.progress())?.awaiting?.gate === 'publish', 60_000);

describe('worker versioning on the dev server', () => {
  it('an old run finishes on build v1 (pinned) while new runs start on v2, through troupe worker --deployment and createTroupeWorker', async () => {
    const double = await startMessagesApiDouble({ drafter: [{ text: 'the draft' }] }, { apiKey: 'test-key' });
    const deploymentName = uniqueId('troupe');
    const taskQueue = uniqueId('tq-versioned');
    const cluster = { TEMPORAL_ADDRESS: temporal.env.address, TEMPORAL_NAMESPACE: 'default' };
    // Version 1: the current code, as `troupe worker` runs it (pinned is the default behaviour).
    const v1 = spawnTroupe(
      [
        '--teams',
        'test/support/teams.ts',
        '--task-queue',
        taskQueue,
        'worker',
        '--deployment',
        deploymentName,
        '--build-id',
        'v1',
      ],
      {
        ...cluster,
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_BASE_URL: double.url,
      },
    );
    let v1Output = '';
    v1.stdout.on('data', (chunk: Buffer) => (v1Output += chunk.toString()));
    const client = new TroupeClient(temporal.env.client, registry, { taskQueue });
    try {
      await setCurrentVersion(deploymentName, 'v1');
      expect(v1Output).toContain(`Worker deployment "${deploymentName}", build v1, pinned runs`);
      const old = await client.start('approve-in-week', 'Started before the deploy.', {
        workflowId: uniqueId('versioned-old'),
      });
      await awaitingPublish(old);

      // Version 2: a changed pipeline, from createTroupeWorker. It becomes current while `old` waits.
      const v2 = await createTroupeWorker({
        connection: temporal.env.nativeConnection,
        taskQueue,
        teams: registry,
        anthropic: double.client(),
        workflowBundle: await bundleWorkflowCode({
          workflowsPath: V2_WORKFLOWS,
          logger: {
            log: () => undefined,
            trace: () => undefined,
            debug: () => undefined,
            info: () => undefined,
            warn: () => undefined,
            error: console.error,
          },
        }),
        workerDeploymentOptions: {
          useWorkerVersioning: true,
          version: { deploymentName, buildId: 'v2' },
          defaultVersioningBehavior: 'PINNED',
        },
      });
      await v2.runUntil(async () => {
        await setCurrentVersion(deploymentName, 'v2');
        const fresh = await client.start('approve-in-week', 'Started after the deploy.', {
          workflowId: uniqueId('versioned-new'),
        });
        await awaitingPublish(fresh);

        await old.decide({ by: 'ana', decision: 'approve' });
        await fresh.decide({ by: 'ana', decision: 'approve' });
        expect((await old.result()).output).toBe('the draft');
        expect((await fresh.result()).output).toBe('the draft');

        const oldBuilds = await buildIds(old);
        const freshBuilds = await buildIds(fresh);
        expect(oldBuilds.length).toBeGreaterThanOrEqual(3); // start, approval, end at least
        expect(new Set(oldBuilds)).toEqual(new Set(['v1'])); // every task of the old run, after the deploy too
        expect(freshBuilds.length).toBeGreaterThanOrEqual(3);
        expect(new Set(freshBuilds)).toEqual(new Set(['v2']));
        // v2's change ran for the new run only.
        const memo = async (run: RunHandle) =>
          (await temporal.env.client.workflow.getHandle(run.workflowId).describe()).memo?.['troupeBuild'];
        expect(await memo(fresh)).toBe('v2');
        expect(await memo(old)).toBeUndefined();
        const versioning = (await temporal.env.client.workflow.getHandle(old.workflowId).describe()).raw
          .workflowExecutionInfo?.versioningInfo;
        expect(versioning?.behavior).toBe(temporalProto.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED);
        expect(versioning?.deploymentVersion?.buildId).toBe('v1');
      });
    } finally {
      v1.kill('SIGINT');
      await double.close();
    }
  });

  it('an auto-upgrade run moves to the build made current at its next workflow task', async () => {
    const double = await startMessagesApiDouble({ drafter: [{ text: 'the draft' }] });
    const deploymentName = uniqueId('troupe-auto');
    const taskQueue = uniqueId('tq-auto');
    // Two builds of compatible code (the same bundle), as after a change guarded by patched().
    const build = (buildId: string) =>
      createTroupeWorker({
        connection: temporal.env.nativeConnection,
        taskQueue,
        teams: registry,
        anthropic: double.client(),
        workflowBundle: temporal.bundle,
        workerDeploymentOptions: {
          useWorkerVersioning: true,
          version: { deploymentName, buildId },
          defaultVersioningBehavior: 'AUTO_UPGRADE',
        },
      });
    const client = new TroupeClient(temporal.env.client, registry, { taskQueue });
    try {
      const v1 = await build('v1');
      await v1.runUntil(async () => {
        await setCurrentVersion(deploymentName, 'v1');
        const run = await client.start('approve-in-week', 'Started before the deploy.', {
          workflowId: uniqueId('versioned-auto'),
        });
        await awaitingPublish(run);
        const v2 = await build('v2');
        await v2.runUntil(async () => {
          await setCurrentVersion(deploymentName, 'v2');
          const probe = await client.start('approve-in-week', 'Started after the deploy.', {
            workflowId: uniqueId('versioned-probe'),
          });
          await awaitingPublish(probe);
          expect((await buildIds(probe))[0]).toBe('v2');
          await run.decide({ by: 'ana', decision: 'approve' });
          expect((await run.result()).output).toBe('the draft');
        });
        const builds = await buildIds(run);
        // Started on v1; after the deploy its tasks ran on v2, though v1 was still polling.
        expect(builds[0]).toBe('v1');
        expect(builds.at(-1)).toBe('v2');
        expect(builds.indexOf('v2')).toBeGreaterThan(0);
        expect(builds.slice(builds.indexOf('v2')).every((b) => b === 'v2')).toBe(true);
      });
    } finally {
      await double.close();
    }
  });

  it('refuses half a deployment with one clear line', async () => {
    const cluster = { TEMPORAL_ADDRESS: temporal.env.address };
    const noBuild = await troupe(['worker', '--deployment', 'troupe'], cluster);
    expect(noBuild.code).toBe(2);
    expect(noBuild.stderr.trim()).toBe(
      'troupe: Worker versioning needs both a deployment name and a build id: pass --deployment <name> --build-id <id> (or set TROUPE_DEPLOYMENT and TROUPE_BUILD_ID); deployment "troupe" has no build id.',
    );
    const badBehaviour = await troupe(['worker'], {
      ...cluster,
      TROUPE_DEPLOYMENT: 'troupe',
      TROUPE_BUILD_ID: 'v3',
      TROUPE_VERSIONING: 'sometimes',
    });
    expect(badBehaviour.code).toBe(2);
    expect(badBehaviour.stderr.trim()).toBe(
      'troupe: --versioning (TROUPE_VERSIONING) "sometimes" is not one of pinned, auto-upgrade.',
    );
  });
});

import { TroupeError } from '../../team/index.js';
import { configuredCluster } from '../../hosting/index.js';
import { describePayloadEncryption } from '../../codec/index.js';
import { openLocalStack, untilInterrupted } from '../local-stack.js';
import { workerDeployment, type DeploymentFlags } from '../worker-deployment.js';
import { workerLimitsFrom, type WorkerLimitFlags } from '../worker-flags.js';
import { describeWorkerLimits, shutdownGraceMs } from '../../workers/worker-limits.js';

/**
 * `troupe worker`: a standalone worker against the configured cluster, until Ctrl-C or SIGTERM,
 * which stop it gracefully (in-flight agent calls get the shutdown grace to finish); a second stops it at once.
 */
export async function workerCommand(options: { teams?: string; taskQueue?: string; activitiesOnly?: boolean } & DeploymentFlags & WorkerLimitFlags): Promise<number> {
  const limits = workerLimitsFrom(options);
  if (!configuredCluster()) {
    throw new TroupeError(
      'NO_CLUSTER',
      'troupe worker needs a Temporal cluster: set TEMPORAL_ADDRESS (e.g. localhost:7233 for `temporal server start-dev`) or a Temporal profile. For a local all-in-one, use `troupe dev`.',
    );
  }
  const deployment = workerDeployment(options);
  // Listening from the start: a signal that arrives while the worker starts stops it as soon as it is up.
  const interrupted = untilInterrupted();
  const stack = await openLocalStack({ teams: options.teams, taskQueue: options.taskQueue, worker: true, deployment, limits, activitiesOnly: options.activitiesOnly });
  console.log(`Worker on task queue "${stack.taskQueue}" at ${stack.target.address} (namespace ${stack.target.namespace}); teams: ${stack.teams.registry.names.join(', ')}`);
  console.log(`Workflows: ${stack.workflows ?? 'none (--activities-only: this worker serves agent calls only)'}`);
  console.log(`Limits: ${describeWorkerLimits(limits)}`);
  if (deployment) console.log(`Worker deployment "${deployment.version.deploymentName}", build ${deployment.version.buildId}, ${deployment.defaultVersioningBehavior === 'PINNED' ? 'pinned' : 'auto-upgrade'} runs`);
  console.log(stack.model.description);
  console.log(describePayloadEncryption());
  console.log('Press Ctrl-C to stop.');
  const stopped = stack.workerStopped?.then((error) => ({ error }));
  const first = await Promise.race([interrupted, stopped]);
  if (typeof first === 'string') {
    console.log(`${first}: stopping gracefully: no new work; agent calls in flight get ${shutdownGraceMs(limits) / 1000}s to finish, then go back to Temporal for another worker. Press Ctrl-C (or send SIGTERM) again to stop at once.`);
  }
  await stack.close();
  const outcome = await stopped;
  if (outcome?.error) {
    console.error(`troupe: the worker stopped on an error: ${outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.error)}`);
    return 1;
  }
  console.log('Worker stopped.');
  return 0;
}

import { CliError } from '../errors.js';
import { configuredCluster } from '../../hosting/index.js';
import { describePayloadEncryption } from '../../codec/index.js';
import { runWorkerInForeground } from '../foreground-worker.js';
import { workerDeployment, type DeploymentFlags } from '../worker-deployment.js';
import { workerLimitsFrom, type WorkerLimitFlags } from '../worker-flags.js';
import { describeWorkerLimits } from '../../workers/worker-limits.js';

/**
 * `troupe worker`: a standalone worker against the configured cluster, until Ctrl-C or SIGTERM,
 * which stop it gracefully (in-flight agent calls get the shutdown grace to finish); a second stops it at once.
 */
export async function workerCommand(
  options: { teams?: string; taskQueue?: string; activitiesOnly?: boolean } & DeploymentFlags & WorkerLimitFlags,
): Promise<number> {
  const limits = workerLimitsFrom(options);
  if (!configuredCluster()) {
    throw new CliError(
      'NO_CLUSTER',
      'troupe worker needs a Temporal cluster: set TEMPORAL_ADDRESS (e.g. localhost:7233 for `temporal server start-dev`) or a Temporal profile. For a local all-in-one, use `troupe dev`.',
    );
  }
  const deployment = workerDeployment(options);
  return runWorkerInForeground(
    { teams: options.teams, taskQueue: options.taskQueue, deployment, limits, activitiesOnly: options.activitiesOnly },
    (stack) => [
      `Worker on task queue "${stack.taskQueue}" at ${stack.target.address} (namespace ${stack.target.namespace}); teams: ${stack.teams.registry.names.join(', ')}`,
      `Workflows: ${stack.workflows ?? 'none (--activities-only: this worker serves agent calls only)'}`,
      `Limits: ${describeWorkerLimits(limits)}`,
      ...(deployment
        ? [
            `Worker deployment "${deployment.version.deploymentName}", build ${deployment.version.buildId}, ${deployment.defaultVersioningBehavior === 'PINNED' ? 'pinned' : 'auto-upgrade'} runs`,
          ]
        : []),
      stack.model.description,
      describePayloadEncryption(),
    ],
  );
}

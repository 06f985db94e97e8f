import { TroupeError } from '../../team/index.js';
import { configuredCluster } from '../../hosting/index.js';
import { describePayloadEncryption } from '../../codec/index.js';
import { openLocalStack, untilInterrupted } from '../local-stack.js';
import { workerDeployment, type DeploymentFlags } from '../worker-deployment.js';

/** `troupe worker`: a standalone worker against the configured cluster, until Ctrl-C. */
export async function workerCommand(options: { teams?: string; taskQueue?: string } & DeploymentFlags): Promise<number> {
  if (!configuredCluster()) {
    throw new TroupeError(
      'NO_CLUSTER',
      'troupe worker needs a Temporal cluster: set TEMPORAL_ADDRESS (e.g. localhost:7233 for `temporal server start-dev`) or a Temporal profile. For a local all-in-one, use `troupe dev`.',
    );
  }
  const deployment = workerDeployment(options);
  const stack = await openLocalStack({ teams: options.teams, taskQueue: options.taskQueue, worker: true, deployment });
  console.log(`Worker on task queue "${stack.taskQueue}" at ${stack.target.address} (namespace ${stack.target.namespace}); teams: ${stack.teams.registry.names.join(', ')}`);
  if (deployment) console.log(`Worker deployment "${deployment.version.deploymentName}", build ${deployment.version.buildId}, ${deployment.defaultVersioningBehavior === 'PINNED' ? 'pinned' : 'auto-upgrade'} runs`);
  console.log(stack.model.description);
  console.log(describePayloadEncryption());
  console.log('Press Ctrl-C to stop.');
  await Promise.race([untilInterrupted(), stack.workerStopped]);
  await stack.close();
  return 0;
}

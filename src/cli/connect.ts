import { clusterForCommand, connectToCluster, type TemporalTarget } from '../hosting/index.js';

/** The configured cluster, or (without one) where `troupe dev` listens: for commands that act on existing runs. */
export function connectForCommand(env: NodeJS.ProcessEnv = process.env): Promise<TemporalTarget> {
  const { config, source } = clusterForCommand(env);
  return connectToCluster(config, env, source);
}

import { configuredCluster, connectToCluster, type TemporalTarget } from '../hosting/index.js';

/** The configured cluster, or (without one) where `troupe dev` listens: for commands that act on existing runs. */
export function connectForCommand(): Promise<TemporalTarget> {
  return connectToCluster(configuredCluster() ?? { connectionOptions: { address: 'localhost:7233' } });
}

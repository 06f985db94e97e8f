import { NativeConnection } from '@temporalio/worker';
import {
  clusterConnection,
  clusterUnreachable,
  configuredCluster,
  configuredSource,
} from '../hosting/cluster-config.js';

/**
 * The worker's connection and namespace for the cluster the environment names (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables, TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE; without
 * any, localhost:7233), ready to spread into createTroupeWorker. Close it with `connection.close()`.
 */
export async function connectFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ connection: NativeConnection; namespace: string }> {
  const cluster = clusterConnection(configuredCluster(env));
  try {
    return { connection: await NativeConnection.connect(cluster.options), namespace: cluster.namespace };
  } catch (error) {
    throw clusterUnreachable(cluster, error, configuredSource(env));
  }
}

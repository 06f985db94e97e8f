import { Client, Connection } from '@temporalio/client';
import {
  clusterConnection,
  clusterUnreachable,
  configuredCluster,
  configuredSource,
} from '../hosting/cluster-config.js';
import { payloadDataConverter } from '../codec/index.js';

/**
 * A Temporal client for the cluster the environment names, read the way the Temporal CLI and
 * `troupe` read it: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, the TLS variables, or a
 * profile of the env-config file (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE). Without any, localhost:7233.
 * Payloads are encrypted when TROUPE_PAYLOAD_KEY is set. Close it with `client.connection.close()`.
 */
export async function connectFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const cluster = clusterConnection(configuredCluster(env));
  const dataConverter = payloadDataConverter(env);
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...cluster.options, connectTimeout: '5s' });
    // A wrong namespace (or a refused certificate) fails here, not at the first run.
    await connection.workflowService.describeNamespace({ namespace: cluster.namespace });
    return new Client({ connection, namespace: cluster.namespace, dataConverter });
  } catch (error) {
    await connection?.close().catch(() => undefined);
    throw clusterUnreachable(cluster, error, configuredSource(env));
  }
}

import { Client, Connection } from '@temporalio/client';
import type { ClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { clusterConnection, clusterUnreachable, configuredSource, type AddressSource } from './cluster-config.js';
import type { TemporalTarget } from './temporal-target.js';
import { payloadDataConverter } from '../codec/index.js';

export { configuredCluster } from './cluster-config.js';
export { clusterForCommand, type ClusterChoice } from './command-cluster.js';

/** `source` says where the address came from, for the message when it cannot be reached. */
export async function connectToCluster(
  config: ClientConnectConfig,
  env: NodeJS.ProcessEnv = process.env,
  source: AddressSource = configuredSource(env),
): Promise<TemporalTarget> {
  const cluster = clusterConnection(config);
  const { address, namespace, options } = cluster;
  const dataConverter = payloadDataConverter(env);
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...options, connectTimeout: '5s' });
    const client = new Client({ connection, namespace, dataConverter });
    // Connecting is lazy on some transports: ask the namespace, so a wrong address or namespace fails here.
    await connection.workflowService.describeNamespace({ namespace });
    const nativeConnection = await NativeConnection.connect(options);
    return {
      kind: 'configured',
      address,
      namespace,
      client,
      nativeConnection,
      uiUrl: env['TEMPORAL_UI_URL'] || undefined,
      close: async () => {
        await nativeConnection.close();
        await connection?.close();
      },
    };
  } catch (error) {
    await connection?.close().catch(() => undefined);
    throw clusterUnreachable(cluster, error, source);
  }
}

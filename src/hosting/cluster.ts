import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { TroupeError } from '../team/errors.js';
import type { TemporalTarget } from './temporal-target.js';

/**
 * The cluster the user configured, the way every Temporal tool reads it: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings, or a profile of the env-config file
 * (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE). Undefined when nothing names an address.
 */
export function configuredCluster(env: NodeJS.ProcessEnv = process.env): ClientConnectConfig | undefined {
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const config = loadClientConnectConfig({ overrideEnvVars, ...(env['TEMPORAL_PROFILE'] ? { profile: env['TEMPORAL_PROFILE'] } : {}) });
  return config.connectionOptions.address ? config : undefined;
}

export async function connectToCluster(config: ClientConnectConfig, env: NodeJS.ProcessEnv = process.env): Promise<TemporalTarget> {
  const address = config.connectionOptions.address ?? 'localhost:7233';
  const namespace = config.namespace ?? 'default';
  const { address: _address, tls, apiKey, metadata } = config.connectionOptions;
  const shared = { address, ...(tls !== undefined ? { tls } : {}), ...(apiKey !== undefined ? { apiKey } : {}), ...(metadata ? { metadata } : {}) };
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...shared, connectTimeout: '5s' });
    const client = new Client({ connection, namespace });
    // Connecting is lazy on some transports: ask the namespace, so a wrong address or namespace fails here.
    await connection.workflowService.describeNamespace({ namespace });
    const nativeConnection = await NativeConnection.connect(shared);
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
    const reason = (error as Error).message.split('\n')[0];
    throw new TroupeError(
      'TEMPORAL_UNREACHABLE',
      `Cannot reach Temporal at ${address} (namespace "${namespace}"): ${reason}. Check that the server is running and TEMPORAL_ADDRESS / your Temporal profile are right, or unset TEMPORAL_ADDRESS to use Troupe's embedded dev server.`,
      { cause: error },
    );
  }
}

import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { TroupeError } from '../team/errors.js';

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

/** What both the client's and the worker's connections take from a configuration; Temporal's defaults where it is silent. */
export interface ClusterConnection {
  address: string;
  namespace: string;
  /** Options shared by `Connection.connect` and `NativeConnection.connect`. */
  options: Pick<NonNullable<ClientConnectConfig['connectionOptions']>, 'tls' | 'apiKey' | 'metadata'> & { address: string };
}

export function clusterConnection(config: ClientConnectConfig | undefined): ClusterConnection {
  const address = config?.connectionOptions.address ?? 'localhost:7233';
  const namespace = config?.namespace ?? 'default';
  const { tls, apiKey, metadata } = config?.connectionOptions ?? {};
  return {
    address,
    namespace,
    options: { address, ...(tls !== undefined ? { tls } : {}), ...(apiKey !== undefined ? { apiKey } : {}), ...(metadata ? { metadata } : {}) },
  };
}

export function clusterUnreachable(cluster: ClusterConnection, error: unknown): TroupeError {
  const reason = (error as Error).message.split('\n')[0];
  return new TroupeError(
    'TEMPORAL_UNREACHABLE',
    `Cannot reach Temporal at ${cluster.address} (namespace "${cluster.namespace}"): ${reason}. Check that the server is running and TEMPORAL_ADDRESS / your Temporal profile are right, or unset TEMPORAL_ADDRESS to use Troupe's embedded dev server.`,
    { cause: error },
  );
}

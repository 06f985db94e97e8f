import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { HostingError } from './errors.js';

/**
 * The cluster the user configured, the way every Temporal tool reads it: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings, or a profile of the env-config file
 * (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE). Undefined when nothing names an address.
 */
export function configuredCluster(env: NodeJS.ProcessEnv = process.env): ClientConnectConfig | undefined {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const config = loadClientConnectConfig({
    overrideEnvVars,
    ...(env['TEMPORAL_PROFILE'] ? { profile: env['TEMPORAL_PROFILE'] } : {}),
  });
  return config.connectionOptions.address ? config : undefined;
}

/** What both the client's and the worker's connections take from a configuration; Temporal's defaults where it is silent. */
export interface ClusterConnection {
  address: string;
  namespace: string;
  /** Options shared by `Connection.connect` and `NativeConnection.connect`. */
  options: Pick<NonNullable<ClientConnectConfig['connectionOptions']>, 'tls' | 'apiKey' | 'metadata'> & {
    address: string;
  };
}

export function clusterConnection(config: ClientConnectConfig | undefined): ClusterConnection {
  const address = config?.connectionOptions.address ?? 'localhost:7233';
  const namespace = config?.namespace ?? 'default';
  const { tls, apiKey, metadata } = config?.connectionOptions ?? {};
  return {
    address,
    namespace,
    options: {
      address,
      ...(tls !== undefined ? { tls } : {}),
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(metadata ? { metadata } : {}),
    },
  };
}

/**
 * Where the address Troupe connects to came from, so that a failure names it (and, e.g., never
 * tells a user to unset a TEMPORAL_ADDRESS they did not set).
 */
export type AddressSource =
  | { kind: 'TEMPORAL_ADDRESS' }
  | { kind: 'profile'; profile: string; file: string | undefined }
  | { kind: 'TROUPE_DEV_PORT'; port: number }
  | { kind: 'server record'; path: string; pid: number }
  /** Nothing named an address; `devServerHome` when the embedded server's record was looked for there too. */
  | { kind: 'default'; devServerHome?: string };

/** The source of a configured cluster's address (TEMPORAL_ADDRESS or a profile), or the default when there is none. */
export function configuredSource(env: NodeJS.ProcessEnv = process.env): AddressSource {
  if (env['TEMPORAL_ADDRESS']) return { kind: 'TEMPORAL_ADDRESS' };
  if (configuredCluster(env))
    return {
      kind: 'profile',
      profile: env['TEMPORAL_PROFILE'] || 'default',
      file: env['TEMPORAL_CONFIG_FILE'] || undefined,
    };
  return { kind: 'default' };
}

export function clusterUnreachable(
  cluster: ClusterConnection,
  error: unknown,
  source: AddressSource = { kind: 'default' },
): HostingError {
  const reason = (error as Error).message.split('\n')[0];
  const [from, fix] = explainSource(source, cluster.address);
  return new HostingError(
    'TEMPORAL_UNREACHABLE',
    `Cannot reach Temporal at ${cluster.address} (namespace "${cluster.namespace}"), ${from}: ${reason}. ${fix}`,
    { cause: error },
  );
}

/** Where the address came from, and what to do about it. */
function explainSource(source: AddressSource, address: string): [string, string] {
  switch (source.kind) {
    case 'TEMPORAL_ADDRESS':
      return [
        'the address from TEMPORAL_ADDRESS',
        "Check that the server is running and TEMPORAL_ADDRESS is right, or unset TEMPORAL_ADDRESS to use Troupe's embedded dev server.",
      ];
    case 'profile':
      return [
        `the address from the Temporal profile "${source.profile}"${source.file ? ` in ${source.file}` : ''}`,
        'Check that the server is running and the profile is right (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE).',
      ];
    case 'TROUPE_DEV_PORT':
      return [
        `the address from TROUPE_DEV_PORT=${source.port}`,
        `Is \`troupe dev\` running on that port? Start it with the same setting (TROUPE_DEV_PORT=${source.port} npx troupe dev), or set TROUPE_DEV_PORT to the port it prints.`,
      ];
    case 'server record':
      return [
        `the address from the embedded server's record ${source.path} (server pid ${source.pid})`,
        'That server is running but did not answer: it may still be starting, so try again; otherwise stop and restart `troupe dev`.',
      ];
    case 'default':
      return source.devServerHome === undefined
        ? [
            `the default address (neither TEMPORAL_ADDRESS nor a Temporal profile is set)`,
            `Start a server at ${address} (e.g. \`npx troupe dev\`), or name your cluster with TEMPORAL_ADDRESS or a Temporal profile.`,
          ]
        : [
            `the default address (no TROUPE_DEV_PORT or Temporal profile is set, and no running embedded server is recorded in ${source.devServerHome})`,
            'Start `npx troupe dev` in another terminal, in this folder or with the same TROUPE_HOME (and TROUPE_DEV_PORT, if you gave it one), or point Troupe at your cluster (`troupe --help` lists the settings).',
          ];
  }
}

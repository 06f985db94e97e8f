import { configuredCluster, connectToCluster } from './cluster.js';
import { startEmbeddedServer, type EmbeddedServerOptions } from './embedded-server.js';
import type { TemporalTarget } from './temporal-target.js';

/** The configured cluster when there is one, otherwise the embedded dev server. */
export async function openTarget(
  options: EmbeddedServerOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<TemporalTarget> {
  const env = options.env ?? process.env;
  const configured = configuredCluster(env);
  return configured ? connectToCluster(configured, env) : startEmbeddedServer(options);
}

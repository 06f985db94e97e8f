import type { ClientConnectConfig } from '@temporalio/envconfig';
import { dirname } from 'node:path';
import { configuredCluster, configuredSource, type AddressSource } from './cluster-config.js';
import { portSetting } from './free-port.js';
import { processInfo } from './process-info.js';
import { defaultDbFile, readServerRecord, serverRecordPath } from './server-record.js';
import { isDevServerFor } from './stale-server.js';

/** A cluster to connect to, and where its address came from (for the message when it cannot be reached). */
export interface ClusterChoice {
  config: ClientConnectConfig;
  source: AddressSource;
}

/**
 * The cluster a command that reads or decides runs (status, pending, approve, history, list, ...)
 * talks to: the configured one (TEMPORAL_ADDRESS or a profile); else the embedded server where
 * `troupe dev` put it: TROUPE_DEV_PORT, or the address in its record under TROUPE_HOME (which also
 * finds one started on a free port); else localhost:7233.
 */
export function clusterForCommand(env: NodeJS.ProcessEnv = process.env): ClusterChoice {
  const configured = configuredCluster(env);
  if (configured) return { config: configured, source: configuredSource(env) };
  // 0 asks `troupe dev` for any free port: only its record says which.
  const port = portSetting(env, 'TROUPE_DEV_PORT');
  if (port)
    return {
      config: { connectionOptions: { address: `localhost:${port}` } },
      source: { kind: 'TROUPE_DEV_PORT', port },
    };
  const dbFile = defaultDbFile(env);
  const recordPath = serverRecordPath(dbFile);
  const record = readServerRecord(recordPath);
  // A record outlives a server killed with its watchdog: trust it only while its server runs on this data.
  const server = record?.address ? processInfo(record.pid) : undefined;
  if (record?.address && server && isDevServerFor(server.command, dbFile)) {
    return {
      config: { connectionOptions: { address: record.address } },
      source: { kind: 'server record', path: recordPath, pid: record.pid },
    };
  }
  return {
    config: { connectionOptions: { address: 'localhost:7233' } },
    source: { kind: 'default', devServerHome: dirname(dbFile) },
  };
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterForCommand } from '../../src/hosting/index.js';
import { clusterConnection, clusterUnreachable } from '../../src/hosting/cluster-config.js';

// Where `troupe status`, `pending`, `approve`, ... look for Temporal, and what they say when it is not there.
const home = mkdtempSync(join(tmpdir(), 'troupe-home-'));
const noConfig = { TEMPORAL_CONFIG_FILE: join(home, 'missing.toml'), TROUPE_HOME: home };
const address = (env: NodeJS.ProcessEnv) => clusterForCommand(env).config.connectionOptions.address;

describe('clusterForCommand', () => {
  it('takes TEMPORAL_ADDRESS first, then TROUPE_DEV_PORT, then the default', () => {
    expect(
      clusterForCommand({ ...noConfig, TEMPORAL_ADDRESS: 'temporal.example:7233', TROUPE_DEV_PORT: '17233' }),
    ).toMatchObject({ source: { kind: 'TEMPORAL_ADDRESS' } });
    expect(address({ ...noConfig, TEMPORAL_ADDRESS: 'temporal.example:7233', TROUPE_DEV_PORT: '17233' })).toBe(
      'temporal.example:7233',
    );
    expect(clusterForCommand({ ...noConfig, TROUPE_DEV_PORT: '17233' })).toMatchObject({
      config: { connectionOptions: { address: 'localhost:17233' } },
      source: { kind: 'TROUPE_DEV_PORT', port: 17233 },
    });
    expect(clusterForCommand(noConfig)).toMatchObject({
      config: { connectionOptions: { address: 'localhost:7233' } },
      source: { kind: 'default', devServerHome: home },
    });
  });

  it('names the profile an address came from', () => {
    const file = join(home, 'temporal.toml');
    writeFileSync(file, '[profile.staging]\naddress = "127.0.0.1:7999"\n');
    expect(
      clusterForCommand({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging', TROUPE_DEV_PORT: '17233' }).source,
    ).toEqual({ kind: 'profile', profile: 'staging', file });
  });

  it('trusts a server record only while its server runs: the record of a server that is gone is ignored', () => {
    const gone = spawnSync('true').pid;
    writeFileSync(
      join(home, 'dev-server.json'),
      JSON.stringify({ pid: gone, ownerPid: process.pid, address: '127.0.0.1:17777' }),
    );
    expect(address(noConfig)).toBe('localhost:7233');
    // TROUPE_DEV_PORT=0 (a free port) names no address: the record or the default does.
    expect(address({ ...noConfig, TROUPE_DEV_PORT: '0' })).toBe('localhost:7233');
  });
});

describe('clusterUnreachable', () => {
  const refused = new Error('Connection refused\nmore detail');
  it('says where the address came from, and suggests TEMPORAL_ADDRESS only to those who set it', () => {
    const cluster = clusterConnection({ connectionOptions: { address: 'localhost:17233' } });
    const fromPort = clusterUnreachable(cluster, refused, { kind: 'TROUPE_DEV_PORT', port: 17233 }).message;
    expect(fromPort).toBe(
      'Cannot reach Temporal at localhost:17233 (namespace "default"), the address from TROUPE_DEV_PORT=17233: Connection refused. Is `troupe dev` running on that port? Start it with the same setting (TROUPE_DEV_PORT=17233 npx troupe dev), or set TROUPE_DEV_PORT to the port it prints.',
    );
    const fromRecord = clusterUnreachable(cluster, refused, {
      kind: 'server record',
      path: '/p/.troupe/dev-server.json',
      pid: 42,
    }).message;
    expect(fromRecord).toContain(
      "the address from the embedded server's record /p/.troupe/dev-server.json (server pid 42)",
    );
    for (const message of [
      fromPort,
      fromRecord,
      clusterUnreachable(cluster, refused, { kind: 'default', devServerHome: '/p/.troupe' }).message,
    ]) {
      expect(message).not.toContain('TEMPORAL_ADDRESS');
    }
    expect(clusterUnreachable(cluster, refused, { kind: 'TEMPORAL_ADDRESS' }).message).toContain(
      'the address from TEMPORAL_ADDRESS: Connection refused. Check that the server is running and TEMPORAL_ADDRESS is right',
    );
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configuredCluster } from '../../src/hosting/index.js';
import { clusterConnection } from '../../src/hosting/cluster-config.js';

describe('configuredCluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-envconfig-'));
  const configFile = join(dir, 'temporal.toml');
  writeFileSync(
    configFile,
    '[profile.default]\naddress = "127.0.0.1:7001"\n\n[profile.staging]\naddress = "127.0.0.1:7999"\nnamespace = "staging-ns"\n',
  );

  it('is undefined when nothing names a cluster, so the embedded server is used', () => {
    expect(configuredCluster({ TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') })).toBeUndefined();
  });

  it('reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', () => {
    const config = configuredCluster({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'prod',
      TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml'),
    });
    expect(config?.connectionOptions.address).toBe('temporal.example:7233');
    expect(config?.namespace).toBe('prod');
  });

  it('reads a profile of the env-config file', () => {
    const config = configuredCluster({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'staging' });
    expect(config?.connectionOptions.address).toBe('127.0.0.1:7999');
    expect(config?.namespace).toBe('staging-ns');
    expect(configuredCluster({ TEMPORAL_CONFIG_FILE: configFile })?.connectionOptions.address).toBe('127.0.0.1:7001');
  });

  it('lets TEMPORAL_ADDRESS override the profile', () => {
    const config = configuredCluster({
      TEMPORAL_CONFIG_FILE: configFile,
      TEMPORAL_PROFILE: 'staging',
      TEMPORAL_ADDRESS: '127.0.0.1:8000',
    });
    expect(config?.connectionOptions.address).toBe('127.0.0.1:8000');
  });

  it('takes a Temporal Cloud API key from a profile: sent with TLS on, as both connections are opened', () => {
    const cloud = join(dir, 'cloud.toml');
    writeFileSync(
      cloud,
      '[profile.cloud]\naddress = "my-ns.a1b2c.tmprl.cloud:7233"\nnamespace = "my-ns.a1b2c"\napi_key = "key-from-profile"\n',
    );
    const connection = clusterConnection(configuredCluster({ TEMPORAL_CONFIG_FILE: cloud, TEMPORAL_PROFILE: 'cloud' }));
    expect(connection).toEqual({
      address: 'my-ns.a1b2c.tmprl.cloud:7233',
      namespace: 'my-ns.a1b2c',
      options: { address: 'my-ns.a1b2c.tmprl.cloud:7233', apiKey: 'key-from-profile', tls: true },
    });
    // TEMPORAL_API_KEY overrides the profile's key, as in the Temporal CLI.
    expect(
      clusterConnection(
        configuredCluster({ TEMPORAL_CONFIG_FILE: cloud, TEMPORAL_PROFILE: 'cloud', TEMPORAL_API_KEY: 'key-from-env' }),
      ).options.apiKey,
    ).toBe('key-from-env');
  });

  it('defaults to localhost:7233 and the default namespace when nothing is configured', () => {
    expect(clusterConnection(undefined)).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      options: { address: 'localhost:7233' },
    });
  });
});

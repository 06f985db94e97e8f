import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configuredCluster } from '../../src/hosting/index.js';

describe('configuredCluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-envconfig-'));
  const configFile = join(dir, 'temporal.toml');
  writeFileSync(configFile, '[profile.default]\naddress = "127.0.0.1:7001"\n\n[profile.staging]\naddress = "127.0.0.1:7999"\nnamespace = "staging-ns"\n');

  it('is undefined when nothing names a cluster, so the embedded server is used', () => {
    expect(configuredCluster({ TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') })).toBeUndefined();
  });

  it('reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', () => {
    const config = configuredCluster({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_NAMESPACE: 'prod', TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') });
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
    const config = configuredCluster({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'staging', TEMPORAL_ADDRESS: '127.0.0.1:8000' });
    expect(config?.connectionOptions.address).toBe('127.0.0.1:8000');
  });
});

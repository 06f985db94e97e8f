import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `troupe` as a user would, in a child process. The environment is this one minus any
 * Temporal or Anthropic settings, plus `env`; TROUPE_HOME is a fresh folder unless given.
 */
export function troupe(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawnTroupe(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `troupe` in the background (e.g. `troupe worker`); the caller stops it. */
export function spawnTroupe(
  args: string[],
  env: Record<string, string> = {},
): ChildProcessByStdio<null, Readable, Readable> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|ANTHROPIC_|TROUPE_)/.test(k)),
  );
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...base, CI: '1', TROUPE_HOME: mkdtempSync(join(tmpdir(), 'troupe-home-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

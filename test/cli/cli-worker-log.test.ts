import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { troupe } from '../support/cli.js';

// `troupe run`'s in-process worker logs a failed agent call as a warning with its stack trace, dozens of
// lines the run's own "Run failed (...)" already sums up: they go to a file unless --verbose.
const TEAMS = fileURLToPath(new URL('../support/teams.ts', import.meta.url));
const EMBEDDED = ['--port', '0', '--ui-port', '0'];
const STACK_LINE = /^\s+at /m;

let double: MessagesApiDouble;
beforeAll(async () => {
  // A 400 is not retried: the extractor's call fails for good, and so does the run.
  double = await startMessagesApiDouble(
    { extractor: [{ error: { status: 400, message: 'scripted bad request' } }] },
    { apiKey: 'test-key' },
  );
});
afterAll(async () => {
  await double?.close();
});

const failingRun = (home: string, extra: string[] = []) =>
  troupe(['--teams', TEAMS, 'run', 'extract-then-write', 'six times seven', ...EMBEDDED, ...extra], {
    TROUPE_HOME: home,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: double.url,
  });

describe("troupe run and its worker's warnings", () => {
  it('keeps them out of the terminal by default: they go to $TROUPE_HOME/worker.log, named once', async () => {
    const home = mkdtempSync(join(tmpdir(), 'troupe-home-'));
    const { code, stdout, stderr } = await failingRun(home);
    expect(code).toBe(1);
    expect(stdout).toContain('Run failed');
    for (const output of [stdout, stderr]) {
      expect(output).not.toContain('[WARN]');
      expect(output).not.toMatch(STACK_LINE);
    }
    const file = join(home, 'worker.log');
    const log = readFileSync(file, 'utf8');
    expect(log).toContain('[WARN] Activity failed');
    expect(log).toContain('scripted bad request');
    expect(log).toMatch(STACK_LINE);
    expect(stdout.split(file).length - 1).toBe(1);
    expect(stdout).toContain('--verbose prints them here');
  }, 90_000);

  it('prints them as before with --verbose, and writes no file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'troupe-home-'));
    const { code, stdout, stderr } = await failingRun(home, ['--verbose']);
    expect(code).toBe(1);
    expect(stdout).toContain('Run failed');
    expect(stderr).toContain('[WARN] Activity failed');
    expect(stderr).toMatch(STACK_LINE);
    expect(existsSync(join(home, 'worker.log'))).toBe(false);
    expect(stdout).not.toContain('worker.log');
  }, 90_000);
});

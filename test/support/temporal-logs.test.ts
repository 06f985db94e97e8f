import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporalLog, temporalLogPath } from './temporal-logs.js';

const SUITE = fileURLToPath(new URL('../fixtures/failing-suite', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const SAMPLE = join(SUITE, 'worker-log.temporal.ts');

afterAll(() => removeTemporalLog(SAMPLE));

describe("a test file's Temporal log", () => {
  it('stays out of the output while tests pass, and is printed for the test that failed', { timeout: 180_000 }, () => {
    const run = runSample();
    const output = run.stdout + run.stderr;
    expect(run.status, output).toBe(1);
    // The log holds what the server, core and the worker logged in both tests.
    const log = readFileSync(temporalLogPath(SAMPLE), 'utf8');
    expect(log).toMatch(/time-skipping server \(pid \d+\)/);
    expect(log.match(/WARN core: .*activity_failure_include_heartbeat/g)).toHaveLength(2);
    expect(log).toContain('refusal in the passing test');
    expect(log).toContain('refusal in the failing test');
    // The output prints the server's start and the failed test's part of it, once, and nothing of the passing test's.
    const printed = output.slice(output.indexOf('Temporal log of worker-log.temporal.ts'));
    expect(printed).toMatch(/^ {2}before its tests:\n {4}── .* time-skipping server \(pid \d+\): /m);
    expect(printed).toContain('  during "fails on purpose, its worker having logged":');
    expect(printed).toMatch(/WARN worker: Activity failed \(.*refusal in the failing test/);
    expect(output.match(/activity_failure_include_heartbeat/g)).toHaveLength(1);
    expect(output).not.toContain('refusal in the passing test');
    expect(run.stdout.trimEnd().split('\n').slice(-3)).toEqual([
      'Failed (1):',
      '  worker-log.temporal.ts > fails on purpose, its worker having logged',
      'Tests: 1 passed, 1 failed',
    ]);
  });

  it('is neither printed nor kept when the tests of its file pass', { timeout: 180_000 }, () => {
    const run = runSample('-t', 'passes');
    const output = run.stdout + run.stderr;
    expect(run.status, output).toBe(0);
    expect(output).toContain('Tests: 1 passed, 0 failed, 1 skipped');
    expect(output).not.toMatch(/Temporal log|activity_failure_include_heartbeat|refusal in the passing test|WARN/);
    expect(existsSync(temporalLogPath(SAMPLE))).toBe(false);
  });
});

/** Runs the fixture file, which starts the time-skipping server; each of its two tests runs a worker whose model call is refused. */
function runSample(...args: string[]) {
  return spawnSync(process.execPath, [VITEST, 'run', '--config', 'vitest.temporal.config.ts', ...args], {
    cwd: SUITE,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', NO_COLOR: '1' },
  });
}

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SUITE = fileURLToPath(new URL('../fixtures/failing-suite', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

describe('the test command ends with the failed tests', () => {
  it('names each failed test, and a file that failed outside its tests, in the last lines', () => {
    const run = spawnSync(process.execPath, [VITEST, 'run'], {
      cwd: SUITE,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', NO_COLOR: '1' },
    });
    expect(run.status).toBe(1);
    const last = run.stdout.trimEnd().split('\n').slice(-4);
    expect(last).toEqual([
      'Failed (2):',
      expect.stringMatching(
        /^ {2}(some\.sample\.ts > fails on purpose|setup-fails\.sample\.ts \(the file failed outside its tests: see its errors above\))$/,
      ),
      expect.stringMatching(
        /^ {2}(some\.sample\.ts > fails on purpose|setup-fails\.sample\.ts \(the file failed outside its tests: see its errors above\))$/,
      ),
      'Tests: 1 passed, 2 failed, 2 skipped',
    ]);
    expect(new Set(last.slice(1, 3)).size).toBe(2);
  });
});

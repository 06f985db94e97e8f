import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { troupe } from '../support/cli.js';

// `troupe init` writes the project and installs it in one step (issue 20). The real install is in the
// package test (test/package); here a stand-in `npm` on PATH records what it was asked, or fails.

const SCAFFOLD = ['.gitignore', 'README.md', 'package.json', 'teams.ts', 'test', 'tsconfig.json', 'worker.ts'];

/** A folder holding an `npm` that logs its arguments and folder to `calls`, prints a line, and exits with `exitCode`. */
function fakeNpm(exitCode: number): { path: string; calls: string } {
  const bin = mkdtempSync(join(tmpdir(), 'fake-npm-'));
  const calls = join(bin, 'calls.log');
  writeFileSync(
    join(bin, 'npm'),
    `#!/bin/sh\necho "$* in $PWD" >> '${calls}'\necho "fake npm: installing"\n${exitCode === 0 ? '' : 'echo "npm error code E404: troupe@^0.1.0 is not in this registry" >&2\n'}exit ${exitCode}\n`,
    { mode: 0o755 },
  );
  return { path: `${bin}${delimiter}${process.env['PATH'] ?? ''}`, calls };
}

const newProject = (): string => join(mkdtempSync(join(tmpdir(), 'troupe-init-')), 'my-team');

describe('troupe init', () => {
  it("writes the project and runs npm install in it, showing npm's output", async () => {
    const npm = fakeNpm(0);
    const dir = newProject();
    const { code, stdout, stderr } = await troupe(['init', dir], { PATH: npm.path });
    expect(code, stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(SCAFFOLD);
    expect(readFileSync(npm.calls, 'utf8').trim().split('\n')).toEqual([`install --no-audit --no-fund in ${dir}`]);
    const order = [
      'Created ',
      'Installing its dependencies (npm install in',
      'fake npm: installing',
      `Ready. Next: cd ${dir} && npm start`,
    ];
    const positions = order.map((text) => stdout.indexOf(text));
    expect(
      positions.every((p) => p >= 0),
      stdout,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('--no-install writes the files only and says to install', async () => {
    const npm = fakeNpm(0);
    const dir = newProject();
    const { code, stdout } = await troupe(['init', dir, '--no-install'], { PATH: npm.path });
    expect(code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(SCAFFOLD);
    expect(existsSync(npm.calls)).toBe(false);
    expect(stdout).toContain(`Next: cd ${dir} && npm install && npm start`);
    // Troupe is not on the npm registry yet: the scaffold links to no registry page.
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).not.toContain('npmjs.com');
    expect(readme).toContain('# my-team');
  });

  it("a failed install: exit 2, npm's own error shown, the files kept, and what to run once it is fixed", async () => {
    const npm = fakeNpm(1);
    const dir = newProject();
    const { code, stderr } = await troupe(['init', dir], { PATH: npm.path });
    expect(code).toBe(2);
    expect(stderr).toContain('npm error code E404');
    expect(stderr).toContain(
      `troupe: npm install failed (exit code 1; its output is above). The project's files are written and kept in ${dir}: once the cause is fixed, run \`cd ${dir} && npm install && npm start\`.`,
    );
    expect(readdirSync(dir).sort()).toEqual(SCAFFOLD);
  });

  it('no npm on PATH: says so, and keeps the files', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-npm-'));
    const dir = newProject();
    const { code, stderr } = await troupe(['init', dir], { PATH: empty });
    expect(code).toBe(2);
    expect(stderr).toContain('troupe: npm was not found on PATH, so the dependencies were not installed.');
    expect(readdirSync(dir).sort()).toEqual(SCAFFOLD);
  });

  it('refuses a folder that is not empty before writing or installing anything', async () => {
    const npm = fakeNpm(0);
    const dir = newProject();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const { code, stderr } = await troupe(['init', dir], { PATH: npm.path });
    expect(code).toBe(2);
    expect(stderr).toContain('is not empty');
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(existsSync(npm.calls)).toBe(false);
  });
});

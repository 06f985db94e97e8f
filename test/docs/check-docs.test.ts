import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// scripts/check-docs.mjs (npm run docs:check) pointed at small fixtures: it must fail, naming the file and the
// link or export, on a broken link or anchor and on an export without a doc comment, and pass on clean ones.
const fixtures = 'test/fixtures/docs';

function checkDocs(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['scripts/check-docs.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('docs:check, links', () => {
  it('passes on pages whose links and anchors resolve, ignoring links in code', () => {
    const { code, stdout, stderr } = checkDocs('--no-api', '--markdown', `${fixtures}/links-ok`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('docs:check: ok (2 Markdown files, 7 relative links)');
  });

  it('fails on a missing file and on a missing anchor, naming the page, the line and the link', () => {
    const { code, stderr } = checkDocs('--no-api', '--markdown', `${fixtures}/links-broken`);
    expect(code).toBe(1);
    const problems = stderr.trim().split('\n');
    expect(problems).toEqual([
      `${fixtures}/links-broken/README.md:3: broken link no-such-page.md: ${fixtures}/links-broken/no-such-page.md does not exist`,
      `${fixtures}/links-broken/README.md:3: broken anchor other.md#no-such-heading: ${fixtures}/links-broken/other.md has no heading or id "no-such-heading"`,
      'docs:check: 2 problems (2 Markdown files, 3 relative links)',
    ]);
  });
});

describe('docs:check, doc comments', () => {
  it('passes when every export of the entry point has a doc comment', () => {
    const { code, stdout, stderr } = checkDocs('--no-links', '--typedoc', `${fixtures}/api/typedoc.documented.json`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('every public export documented');
  });

  it('fails on an export without a doc comment, naming its file and name, and only that one', () => {
    const { code, stderr } = checkDocs('--no-links', '--typedoc', `${fixtures}/api/typedoc.undocumented.json`);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `${fixtures}/api/undocumented.ts: undocumentedExport (function) is exported without a doc comment`,
      'docs:check: 1 problem (public exports without a doc comment: 1)',
    ]);
  });
});

it('refuses an unknown argument with exit code 2', () => {
  const { code, stderr } = checkDocs('--nonsense');
  expect(code).toBe(2);
  expect(stderr).toContain('unknown argument --nonsense');
});

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { troupe, type CliResult } from '../support/cli.js';

// Bad input that needs no Temporal server: one clear message, exit code 2, no stack trace, nothing started.
const EMBEDDED = ['--port', '0', '--ui-port', '0'];

// A stack frame line ("    at fn (file:12:34)"); a bare '    at ' would also match the help ("        at most ...").
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

function expectRefused(result: CliResult, message: string): void {
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.code).toBe(2);
}

/** Runs `troupe` with a fresh TROUPE_HOME and checks that no embedded server was started in it. */
async function troupeStartingNothing(args: string[]): Promise<CliResult> {
  const home = mkdtempSync(join(tmpdir(), 'troupe-home-'));
  const result = await troupe(args, { TROUPE_HOME: home });
  expect(existsSync(join(home, 'dev.db'))).toBe(false);
  return result;
}

function tempFile(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'troupe-input-')), name);
  writeFileSync(path, content);
  return path;
}

describe("argument errors exit 2 with commander's message and the help", () => {
  it('an unknown command', async () => {
    const result = await troupe(['nosuch']);
    expectRefused(result, "error: unknown command 'nosuch'");
    expect(result.stderr).toContain('Usage: troupe [options] [command]');
  });

  it('an unknown option', async () => {
    const result = await troupe(['list', '--bogus']);
    expectRefused(result, "error: unknown option '--bogus'");
    expect(result.stderr).toContain('Usage: troupe list [options]');
  });

  it('a missing argument', async () => {
    const result = await troupe(['status']);
    expectRefused(result, "error: missing required argument 'workflowId'");
    expect(result.stderr).toContain('Usage: troupe status [options] <workflowId>');
  });

  it('a port out of range', async () => {
    const result = await troupeStartingNothing(['run', 'research-brief', 'x', '--port', '99999']);
    expectRefused(result, "error: option '--port <port>' argument '99999' is invalid. use a port from 0 to 65535");
  });

  it('an unknown --status for list', async () => {
    const result = await troupe(['list', '--status', 'finished']);
    expectRefused(
      result,
      "error: option '--status <status>' argument 'finished' is invalid. Allowed choices are running, awaiting-approval, completed, partial, failed.",
    );
  });

  it('a --limit that is not a positive integer', async () => {
    for (const limit of ['abc', '0', '-3', '2.5']) {
      const result = await troupe(['list', '--limit', limit]);
      expectRefused(result, `error: option '--limit <n>' argument '${limit}' is invalid. use a positive whole number`);
    }
  });

  it('--help and --version still exit 0', async () => {
    const help = await troupe(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: troupe [options] [command]');
    const subHelp = await troupe(['list', '--help']);
    expect(subHelp.code).toBe(0);
    expect(subHelp.stdout).toContain('Usage: troupe list [options]');
    const version = await troupe(['--version']);
    expect(version.code).toBe(0);
    const { version: expected } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(expected);
  });
});

describe('bad --input-file is refused before anything starts', () => {
  it('input over the payload margin: says the limit and how to pass large input', async () => {
    const file = tempFile('big.txt', 'a'.repeat(5 * 1024 * 1024));
    const result = await troupeStartingNothing(['run', 'research-brief', '--input-file', file, ...EMBEDDED]);
    expectRefused(
      result,
      "troupe: The run's input is too large: with the team's spec it is 5.2 MB as JSON, and troupe run starts at most 1.5 MB (1,500,000 bytes) because Temporal refuses payloads over 2 MB.",
    );
    expect(result.stderr).toContain('Put the large content where the agents can read it (a file path or a URL)');
  });

  it('a file that is not UTF-8 is not decoded with replacement characters', async () => {
    const file = tempFile('latin1.txt', Buffer.from('caf\xe9 au lait', 'latin1'));
    const result = await troupeStartingNothing(['run', 'research-brief', '--input-file', file, ...EMBEDDED]);
    expectRefused(result, `troupe: --input-file "${file}" is not UTF-8 text: convert it to UTF-8`);
  });
});

describe('offline, a team whose agents have no scripted reply', () => {
  it('is refused before anything starts, naming the agents and the fix', async () => {
    // crash-tools has a script in this module; extract-then-write's extractor and drafter have none.
    const result = await troupeStartingNothing([
      'run',
      'extract-then-write',
      'x',
      '--teams',
      'test/fixtures/offline-crash-teams.ts',
      ...EMBEDDED,
    ]);
    expectRefused(result, 'has no reply for "extract-then-write/extractor", "extract-then-write/drafter"');
    expect(result.stderr).toContain('offlineScript');
    expect(result.stderr).toContain('ANTHROPIC_API_KEY');
  });
});

describe('a teams module whose `teams` holds something that is not a team', () => {
  it('a number: names the index and says to use defineTeam()', async () => {
    const result = await troupeStartingNothing([
      '--teams',
      'test/fixtures/teams-not-a-team.ts',
      'run',
      'x',
      'y',
      ...EMBEDDED,
    ]);
    expectRefused(
      result,
      'troupe: teams[0] in the teams module "test/fixtures/teams-not-a-team.ts" is not a team (it is the number 42): define each entry with defineTeam(',
    );
  });

  it('a plain object beside a real team', async () => {
    const result = await troupeStartingNothing([
      '--teams',
      'test/fixtures/teams-plain-object.ts',
      'run',
      'fine',
      'y',
      ...EMBEDDED,
    ]);
    expectRefused(
      result,
      'troupe: teams[1] in the teams module "test/fixtures/teams-plain-object.ts" is not a team (it is an object named "raw" that defineTeam() did not make)',
    );
  });

  it('a module without `teams` keeps its message', async () => {
    const result = await troupeStartingNothing([
      '--teams',
      'test/fixtures/teams-default-export.ts',
      'run',
      'x',
      'y',
      ...EMBEDDED,
    ]);
    expectRefused(result, 'does not export `teams`: export const teams = [defineTeam(...)].');
  });
});

describe('troupe replay of a file that is not a usable history', () => {
  it('a history with no events', async () => {
    const file = tempFile('empty.json', JSON.stringify({ events: [] }));
    expectRefused(
      await troupe(['replay', file]),
      `troupe: The history "${file}" has no events, so there is nothing to replay. Export a run's history with \`temporal workflow show -w <id> -o json > run.json\``,
    );
  });

  it('JSON that is not a history at all', async () => {
    const file = tempFile('prices.json', JSON.stringify({ 'claude-sonnet-5-5': { input: 3 } }));
    expectRefused(
      await troupe(['replay', file]),
      `troupe: "${file}" is not a workflow history (it has no "events" list of objects).`,
    );
  });

  it('events that do not start with the workflow start (would hang the replayer)', async () => {
    const file = tempFile(
      'partial.json',
      JSON.stringify({ events: [{ eventId: '7', eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED' }] }),
    );
    expectRefused(
      await troupe(['replay', file]),
      `troupe: "${file}" is not a whole workflow history: its first event is not WorkflowExecutionStarted.`,
    );
  });
});

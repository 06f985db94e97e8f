import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroupeClient } from '../../src/client/troupe-client.js';
import type { FeedItem } from '../../src/protocol/feed-events.js';
import { TeamRegistry } from '../../src/team/index.js';
import { freePort } from '../../src/hosting/free-port.js';
import { spawnTroupe, troupe, type CliResult } from '../support/cli.js';
import { until } from '../support/until.js';
import { TEXTS, teams } from './fixtures/stream-teams.js';

// Issue 23, item 4: `troupe run` shows each agent's text as it is written in a terminal, and
// `troupe follow` attaches to a run. One `troupe dev` (real Temporal, its worker answering from the
// fixture's offline script, whose replies stream word by word) serves every run here.

const FIXTURE = fileURLToPath(new URL('./fixtures/stream-teams.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));
// A stack frame line ("    at fn (file:12:34)").
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

let dev: ChildProcessByStdio<null, Readable, Readable>;
let env: Record<string, string>;
let connection: Connection;
let client: TroupeClient;

beforeAll(async () => {
  const port = await freePort();
  dev = spawnTroupe(['dev'], { TROUPE_DEV_PORT: String(port), TROUPE_UI_PORT: '0', TROUPE_TEAMS: FIXTURE });
  let out = '';
  let err = '';
  dev.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  dev.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  await until(() => {
    if (dev.exitCode !== null) throw new Error(`troupe dev exited ${dev.exitCode}: ${err}`);
    return out.includes('Press Ctrl-C to stop.');
  }, 90_000);
  const address = `127.0.0.1:${port}`;
  env = { TEMPORAL_ADDRESS: address, TROUPE_TEAMS: FIXTURE };
  connection = await Connection.connect({ address });
  client = new TroupeClient(new Client({ connection }), new TeamRegistry(teams));
});

afterAll(async () => {
  await connection?.close();
  if (dev && dev.exitCode === null) {
    dev.kill('SIGINT');
    await until(() => dev.exitCode !== null || dev.signalCode !== null, 30_000);
  }
});

/** Output as it arrived, chunk by chunk, with when. */
interface Timed extends CliResult {
  chunks: { text: string; at: number }[];
}

/**
 * Runs `troupe` with its stdout on a terminal: a real pseudo-terminal through util-linux `script`
 * when there is one (stdout and stderr then both arrive on stdout), else TROUPE_STREAM=1.
 */
function inTerminal(args: string[], extra: Record<string, string> = {}): Promise<Timed> {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|ANTHROPIC_|TROUPE_)/.test(k)),
  );
  const childEnv = {
    ...base,
    CI: '1',
    TROUPE_HOME: mkdtempSync(join(tmpdir(), 'troupe-home-')),
    ...env,
    ...extra,
    ...(hasScript ? {} : { TROUPE_STREAM: '1' }),
  };
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const child = hasScript
    ? spawn('script', ['-qfec', command, '/dev/null'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [BIN, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child);
}

function collect(child: ChildProcessByStdio<null, Readable, Readable>): Promise<Timed> {
  const result: Timed = { code: null, stdout: '', stderr: '', chunks: [] };
  child.stdout.on('data', (chunk: Buffer) => {
    result.stdout += chunk.toString();
    result.chunks.push({ text: chunk.toString(), at: Date.now() });
  });
  child.stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...result, code }));
  });
}

/** What a terminal shows: line ends without \r, passing status lines gone (each ends with a line clear). */
// eslint-disable-next-line no-control-regex -- the clear is an escape sequence
const screen = (raw: string) => raw.replace(/\r\n/g, '\n').replace(/[^\n]*\r\x1b\[2K/g, '');

/** When the first chunk holding `text` arrived. */
const arrival = (out: Timed, text: string) => {
  let seen = '';
  for (const chunk of out.chunks) {
    seen += chunk.text;
    if (seen.includes(text)) return chunk.at;
  }
  return Number.NaN;
};

/** The text lines the line view printed for `label`, joined back into what the member wrote. */
const linesOf = (stdout: string, label: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith(`  ${label} │`))
    .map((line) => line.slice(`  ${label} │ `.length))
    .join(' ');

const expectRefused = (result: CliResult, message: string) => {
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.code).toBe(2);
};

let finishedRun: string;

describe('troupe run in a terminal', () => {
  it("prints each agent's text as it is written, under a header per member, then the result as before", async () => {
    finishedRun = `stream-pair-${Date.now()}`;
    const out = await inTerminal([
      'run',
      'stream-pair',
      'Write an essay.',
      '--no-worker',
      '--workflow-id',
      finishedRun,
    ]);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const shown = screen(out.stdout);
    expect(shown).toContain(`── planner (turn 1)\n${TEXTS.plan}\n`);
    expect(shown).toContain(`── writer (turn 1)\n${TEXTS.essay}\n`);
    // The steps in between, as lines; the result after the text, as today.
    const order = [
      '── planner (turn 1)',
      '  ✓ planner → writer: plan0',
      '── writer (turn 1)',
      'Result:',
      'agent call(s)',
    ];
    const positions = order.map((text) => shown.indexOf(text));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Progressively: the writer's words came over about a second (40 ms each), in several pieces.
    const first = arrival(out, 'essay0 ');
    const last = arrival(out, 'essay29');
    expect(last - first).toBeGreaterThan(400);
    const pieces = out.chunks.filter((c) => /essay\d/.test(c.text) && c.at <= last).length;
    expect(pieces).toBeGreaterThanOrEqual(3);
  });

  it('--no-stream keeps the step lines and shows no text as it is written', async () => {
    const out = await inTerminal(['run', 'stream-pair', 'Again.', '--no-worker', '--no-stream']);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const shown = screen(out.stdout);
    expect(shown).toContain('✓ planner → writer');
    expect(shown).toContain('Result:');
    expect(shown).not.toContain('── ');
    // The writer's words appear once: in the result only.
    expect(shown.split('essay29').length - 1).toBe(1);
  });
});

describe('troupe follow', () => {
  it("of a finished run: the agents' text in labelled lines on a pipe, the live view in a terminal; exit 0", async () => {
    const [piped, live, json] = await Promise.all([
      troupe(['follow', finishedRun], env),
      troupe(['follow', finishedRun], { ...env, TROUPE_STREAM: '1' }),
      troupe(['follow', finishedRun, '--json'], env),
    ]);
    expect(piped.code, piped.stdout + piped.stderr).toBe(0);
    expect(linesOf(piped.stdout, 'planner')).toBe(TEXTS.plan);
    expect(linesOf(piped.stdout, 'writer')).toBe(TEXTS.essay);
    expect(piped.stdout).toContain('  ✓ planner → writer: plan0');
    expect(piped.stdout).toContain('Result:');

    expect(live.code, live.stdout + live.stderr).toBe(0);
    expect(screen(live.stdout)).toContain(`── writer (turn 1)\n${TEXTS.essay}\n`);

    expect(json.code, json.stderr).toBe(0);
    const items = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as FeedItem);
    expect(items.map((i) => i.offset)).toEqual(items.map((_, i) => i));
    expect(items.at(-1)).toMatchObject({ type: 'run-finished', path: [] });
    expect(json.stdout).not.toContain('Result:');

    // --from: from that offset on, nothing before it.
    const from = items.findIndex((i) => i.type === 'call-started' && i.path[0] === 'writer');
    const later = await troupe(['follow', finishedRun, '--from', String(from)], env);
    expect(later.code, later.stdout + later.stderr).toBe(0);
    expect(linesOf(later.stdout, 'planner')).toBe('');
    expect(linesOf(later.stdout, 'writer')).toBe(TEXTS.essay);
  });

  it('--from-now attaches to a running run: what is written from then on, to the end', async () => {
    const run = await client.start('stream-slow', 'Slowly.');
    // Wait until the writer has begun: what came before is not shown.
    for await (const item of run.stream()) if (item.type === 'text' && item.path[0] === 'writer') break;
    const out = await troupe(['follow', run.workflowId, '--from-now'], env);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const written = linesOf(out.stdout, 'writer');
    expect(written).not.toContain('slow0 ');
    expect(written.endsWith('slow59')).toBe(true);
    expect(linesOf(out.stdout, 'planner')).toBe('');
    expect(TEXTS.slow.endsWith(written)).toBe(true);
  });

  it("labels a sub-team's members by their path; a sub-team's own run has no feed (exit 2, the fix named)", async () => {
    const run = await client.start('stream-outer', 'Look around.');
    const result = await run.result();
    const child = result.transcript.find((e) => e.childWorkflowId)?.childWorkflowId;
    expect(child).toBeDefined();
    const [live, sub] = await Promise.all([
      troupe(['follow', run.workflowId], { ...env, TROUPE_STREAM: '1' }),
      troupe(['follow', child!], env),
    ]);
    expect(live.code, live.stdout + live.stderr).toBe(0);
    expect(screen(live.stdout)).toContain(`── stream-inner › scout (turn 1)\n${TEXTS.scout}\n`);
    expect(screen(live.stdout)).toContain(`── editor (turn 1)\n${TEXTS.edit}\n`);
    expectRefused(sub, `Run "${child}" has no live feed`);
    expect(sub.stderr).toContain(`troupe status ${child}`);
  });

  it('of a failed run exits 1 with the failure, like troupe run', async () => {
    const run = await client.start('stream-fails', 'Fail.');
    await run.result().catch(() => undefined);
    const out = await troupe(['follow', run.workflowId], env);
    expect(out.code, out.stdout + out.stderr).toBe(1);
    expect(out.stdout).toContain('  ✗ writer: the call failed (turn 1)');
    expect(out.stdout).toMatch(/Run failed \(\w+\): /);
  });

  it('bad input exits 2 with one clear message: an unknown run, an offset past the end, a bad --from', async () => {
    const [unknown, past, notNumber, both] = await Promise.all([
      troupe(['follow', 'no-such-run'], env),
      troupe(['follow', finishedRun, '--from', '99999'], env),
      troupe(['follow', finishedRun, '--from', 'abc'], env),
      troupe(['follow', finishedRun, '--from', '3', '--from-now'], env),
    ]);
    expectRefused(unknown, 'troupe: No run "no-such-run" in namespace "default"');
    expect(unknown.stderr).toContain('`troupe list` shows the runs there');
    expectRefused(past, 'offset 99999 is past the end of the feed (its next offset is');
    expect(past.stderr).toContain('from a lower --from, or with --from-now');
    expectRefused(notNumber, "error: option '--from <offset>' argument 'abc' is invalid. use a feed offset");
    expectRefused(both, "error: option '--from <offset>' cannot be used with option '--from-now'");
  });
});

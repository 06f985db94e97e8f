import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, portInUse } from '../../src/hosting/free-port.js';
import { spawnTroupe, troupe } from '../support/cli.js';
import { until } from '../support/until.js';

// Issue 20: the commands that read runs find the embedded server where `troupe dev` put it, and
// the server's own output stays out of the user's terminal.

// Another process on this machine may hold 7233 (a `troupe dev` with the defaults): then the default address answers.
const defaultPortTaken = await portInUse(7233);
const newHome = (): string => mkdtempSync(join(tmpdir(), 'troupe-home-'));
const started: ChildProcessByStdio<null, Readable, Readable>[] = [];

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  await until(() => started.every((child) => child.exitCode !== null || child.signalCode !== null), 30_000);
});

describe('troupe dev on a port given by TROUPE_DEV_PORT', () => {
  it('is found by pending, status and list: through the same TROUPE_DEV_PORT, or through its record under TROUPE_HOME', async () => {
    const home = newHome();
    const port = await freePort();
    const dev = spawnTroupe(['dev'], { TROUPE_HOME: home, TROUPE_DEV_PORT: String(port), TROUPE_UI_PORT: '0' });
    started.push(dev);
    let out = '';
    let err = '';
    dev.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    dev.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await until(() => {
      if (dev.exitCode !== null) throw new Error(`troupe dev exited ${dev.exitCode}: ${err}`);
      return out.includes('Press Ctrl-C to stop.');
    }, 90_000);
    expect(out).toContain(`Temporal dev server at 127.0.0.1:${port}`);

    // A run for them to find, started on that server and run by troupe dev's worker.
    const detached = await troupe(
      ['run', 'research-brief', 'Why durable agents?', '--detach', '--no-worker', '--workflow-id', 'found-by-port'],
      { TEMPORAL_ADDRESS: `127.0.0.1:${port}` },
    );
    expect(detached.code, detached.stderr).toBe(0);

    // Another folder's TROUPE_HOME (so no record helps): the port alone finds it.
    const pending = await troupe(['pending'], { TROUPE_HOME: newHome(), TROUPE_DEV_PORT: String(port) });
    expect(pending.stderr).toBe('');
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain('No run is waiting for a decision.');
    await until(
      async () =>
        (
          await troupe(['status', 'found-by-port'], { TROUPE_HOME: newHome(), TROUPE_DEV_PORT: String(port) })
        ).stdout.includes('COMPLETED'),
      60_000,
    );

    // No TROUPE_DEV_PORT: the record troupe dev keeps in its TROUPE_HOME says where it listens.
    const list = await troupe(['list'], { TROUPE_HOME: home });
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('found-by-port');
    const record = JSON.parse(readFileSync(join(home, 'dev-server.json'), 'utf8')) as { address: string };
    expect(record.address).toBe(`127.0.0.1:${port}`);

    dev.kill('SIGINT');
    await until(() => dev.exitCode !== null, 30_000);
    expect(dev.exitCode).toBe(0);
    // Gone with its server: a later command does not trust an address nothing listens on.
    expect(existsSync(join(home, 'dev-server.json'))).toBe(false);
  });

  it('when nothing listens there, the failure names the address, that TROUPE_DEV_PORT gave it, and not TEMPORAL_ADDRESS', async () => {
    const port = await freePort();
    const { code, stderr } = await troupe(['pending'], { TROUPE_DEV_PORT: String(port) });
    expect(code).toBe(2);
    expect(stderr).toContain(
      `troupe: Cannot reach Temporal at localhost:${port} (namespace "default"), the address from TROUPE_DEV_PORT=${port}:`,
    );
    expect(stderr).toContain(`TROUPE_DEV_PORT=${port} npx troupe dev`);
    expect(stderr).not.toContain('TEMPORAL_ADDRESS');
  });

  it.skipIf(defaultPortTaken)(
    'with nothing set and no server recorded, the failure says it tried the default address',
    async () => {
      const home = newHome();
      const { code, stderr } = await troupe(['list'], { TROUPE_HOME: home });
      expect(code).toBe(2);
      expect(stderr).toContain(
        'troupe: Cannot reach Temporal at localhost:7233 (namespace "default"), the default address (no TROUPE_DEV_PORT or Temporal profile is set, and no running embedded server is recorded in',
      );
      expect(stderr).toContain('Start `npx troupe dev`');
      expect(stderr).not.toContain('TEMPORAL_ADDRESS');
    },
  );

  it('troupe --help names TROUPE_DEV_PORT and TROUPE_UI_PORT', async () => {
    const { code, stdout } = await troupe(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}TROUPE_DEV_PORT {2,}gRPC port of the embedded server/m);
    expect(stdout).toMatch(/^ {2}TROUPE_UI_PORT {2,}Web UI port of the embedded server/m);
  });

  it('a TROUPE_DEV_PORT that is not a port is bad input', async () => {
    const { code, stderr } = await troupe(['status', 'any-run'], { TROUPE_DEV_PORT: '72330' });
    expect(code).toBe(2);
    expect(stderr).toContain('troupe: TROUPE_DEV_PORT="72330" is not a port number');
  });
});

describe("the embedded server's output", () => {
  it('stays out of the terminal: it goes to a log file under TROUPE_HOME', async () => {
    const home = newHome();
    const { code, stdout, stderr } = await troupe(
      ['run', 'research-brief', 'Why durable agents?', '--exit', '--port', '0', '--ui-port', '0'],
      { TROUPE_HOME: home },
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Result:');
    // Its banner, and the errors it logs while it starts ("Frontend is not healthy yet"), reached the terminal before.
    for (const output of [stdout, stderr]) {
      expect(output).not.toMatch(/level=/);
      expect(output).not.toContain('Temporal Server:');
    }
    expect(readFileSync(join(home, 'dev-server.log'), 'utf8')).toContain('Temporal Server:');
  });

  it('is shown, from its log, when the server fails to start', async () => {
    const home = newHome();
    const broken = join(home, 'broken-temporal.sh');
    writeFileSync(broken, '#!/bin/sh\necho "fake server: unable to open the database file" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const { code, stderr } = await troupe(['run', 'research-brief', 'x', '--exit', '--port', '0', '--ui-port', '0'], {
      TROUPE_HOME: home,
      TEMPORAL_CLI_PATH: broken,
    });
    expect(code).toBe(2);
    expect(stderr).toContain(`troupe: The Temporal dev server at ${join(home, 'dev-server.sh')} failed to start:`);
    expect(stderr).toContain(
      `Its output (${join(home, 'dev-server.log')}) ends with:\nfake server: unable to open the database file`,
    );
  });
});

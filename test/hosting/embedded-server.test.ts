import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTemporalBinary } from '../../src/hosting/binaries.js';
import { freePort, portInUse } from '../../src/hosting/free-port.js';
import { serverRecordPath } from '../../src/hosting/server-record.js';
import { writeServerWrapper } from '../../src/hosting/server-watchdog.js';
import { spawnTroupe, troupe } from '../support/cli.js';
import { until } from '../support/until.js';

// `troupe dev` as a user runs it, killed the hard way or stopped while it starts: its Temporal server must not outlive it.

type Troupe = ChildProcessByStdio<null, Readable, Readable>;
const started: Troupe[] = [];
const homes: string[] = [];

/** Every process whose command line names this folder: the server, its watchdog. */
function processesUsing(home: string): { pid: number; command: string }[] {
  const table = execFileSync('ps', ['-A', '-ww', '-o', 'pid=,stat=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[2]!.startsWith('Z') && m[3]!.includes(home))
    .map((m) => ({ pid: Number(m[1]), command: m[3]! }));
}

function temporalServers(home: string): number[] {
  return processesUsing(home)
    .filter((p) => p.command.includes('server start-dev') && !p.command.includes('.sh '))
    .map((p) => p.pid);
}

/** Starts `troupe dev` and waits until its server accepts connections and its worker runs. */
async function startDev(
  home: string,
  port: number,
  uiPort: number,
  env: Record<string, string> = {},
): Promise<{ child: Troupe; stdout: () => string; stderr: () => string }> {
  const child = spawnTroupe(['dev', '--port', String(port), '--ui-port', String(uiPort)], {
    TROUPE_HOME: home,
    ...env,
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await until(() => {
    if (child.exitCode !== null) throw new Error(`troupe dev exited ${child.exitCode}: ${stderr}`);
    return stdout.includes('Press Ctrl-C to stop.');
  }, 60_000);
  expect(await portInUse(port)).toBe(true);
  return { child, stdout: () => stdout, stderr: () => stderr };
}

function exited(child: Troupe): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function allGone(home: string, ...ports: number[]): Promise<boolean> {
  const inUse = await Promise.all(ports.map(portInUse));
  return !inUse.includes(true) && processesUsing(home).length === 0;
}

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'troupe-embedded-'));
  homes.push(home);
  return home;
}

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const home of homes) {
    for (const { pid } of processesUsing(home)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await until(() => homes.every((home) => processesUsing(home).length === 0), 10_000);
});

describe('the embedded Temporal server', () => {
  it('dies with `troupe dev` when it is killed with SIGKILL, and the next `troupe dev` on the same data starts', async () => {
    const home = newHome();
    const [port, uiPort] = [await freePort(), await freePort()];
    const first = await startDev(home, port, uiPort);
    expect(temporalServers(home)).toHaveLength(1);

    first.child.kill('SIGKILL');
    await exited(first.child);
    await until(() => allGone(home, port, uiPort), 15_000);

    const second = await startDev(home, port, uiPort);
    expect(second.stderr()).not.toContain('PORT_IN_USE');
    expect(temporalServers(home)).toHaveLength(1);
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
    await until(() => allGone(home, port, uiPort), 10_000);
  });

  it('is stopped by the next start on the same data when its watchdog was killed too', async () => {
    const home = newHome();
    const [port, uiPort] = [await freePort(), await freePort()];
    const dbFile = join(home, 'dev.db');
    // The server as a crash leaves it: started through the wrapper by an owner that dies with the watchdog.
    // Its output goes to /dev/null: one started by `troupe dev` writes to pipes that die with it, so it may
    // end on its own at its next log line (SIGPIPE), and could not be relied on to stay for this test.
    const binary = resolveTemporalBinary('dev-server');
    if (binary.type !== 'existing-path')
      throw new Error('the Temporal CLI must be on PATH for this test (npx troupe setup)');
    const wrapper = writeServerWrapper(binary.path, dbFile, serverRecordPath(dbFile));
    const serverArgs = [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--db-filename',
      dbFile,
      '--log-level',
      'error',
    ];
    const owner = spawn('sh', ['-c', '"$0" "$@" & exec sleep 600', wrapper, ...serverArgs], { stdio: 'ignore' });
    await until(() => temporalServers(home).length === 1 && portInUse(port), 60_000);
    const [server] = temporalServers(home);
    const watchdogs = processesUsing(home).filter((p) => p.pid !== server);
    expect(watchdogs.length).toBeGreaterThan(0);

    for (const { pid } of watchdogs) process.kill(pid, 'SIGKILL');
    owner.kill('SIGKILL');
    // Nothing watches the server any more: it keeps the port.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(temporalServers(home)).toEqual([server]);
    expect(await portInUse(port)).toBe(true);

    const second = await startDev(home, port, uiPort);
    expect(second.stderr()).toContain(`Stopped a Temporal dev server (pid ${server})`);
    expect(temporalServers(home)).not.toContain(server);
    expect(temporalServers(home)).toHaveLength(1);
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
    await until(() => allGone(home, port, uiPort), 10_000);
  });

  it('stops cleanly on a SIGTERM that arrives while it starts: exit 0, and it stops its server itself', async () => {
    const home = newHome();
    const [port, uiPort] = [await freePort(), await freePort()];
    const child = spawnTroupe(['dev', '--port', String(port), '--ui-port', String(uiPort)], { TROUPE_HOME: home });
    started.push(child);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const record = join(home, 'dev-server.json');
    // The server is starting (the watchdog's script has recorded it), the worker is not up yet.
    await until(() => temporalServers(home).length === 1, 60_000);
    expect(existsSync(record)).toBe(true);
    expect(stdout).not.toContain('Press Ctrl-C to stop.');
    child.kill('SIGTERM');

    // Before the fix, Temporal's runtime took the signal: the worker stopped, and Node left troupe dev with 13 (an unsettled await).
    expect(await exited(child)).toBe(0);
    expect(stdout).toContain('Press Ctrl-C to stop.'); // it finished starting, then stopped
    expect(stdout).toContain('SIGTERM: stopping gracefully');
    expect(stdout).toContain('Worker and Temporal dev server stopped.');
    expect(existsSync(record)).toBe(false); // forgotten by troupe dev once its server was down, not left to the watchdog
    await until(() => allGone(home, port, uiPort), 10_000);
  });

  it("starts the server again when its first start does not answer within the SDK's 5 s", async () => {
    const home = newHome();
    const real = resolveTemporalBinary('dev-server');
    if (real.type !== 'existing-path') throw new Error('the Temporal CLI is not installed');
    // A server binary whose first start is slower than the SDK waits for; later starts are not.
    const slowFirst = join(home, 'slow-first-temporal.sh');
    writeFileSync(
      slowFirst,
      `#!/bin/sh\nif [ ! -e "${home}/started-once" ]; then touch "${home}/started-once"; sleep 8; fi\nexec "${real.path}" "$@"\n`,
      { mode: 0o755 },
    );
    const port = await freePort();
    const uiPort = await freePort();
    const { child, stderr } = await startDev(home, port, uiPort, { TEMPORAL_CLI_PATH: slowFirst });
    expect(stderr()).toContain(
      'The Temporal dev server did not answer within 5 s (slow, or it exited); starting it again.',
    );
    expect(temporalServers(home)).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    await until(() => allGone(home, port, uiPort), 15_000);
  });

  it('names the port asked for when it is taken by something else', async () => {
    const holder: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const home = newHome();
      const result = await troupe(['dev', '--port', String(port), '--ui-port', String(await freePort())], {
        TROUPE_HOME: home,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Port ${port} is already in use`);
      expect(result.stderr).toContain(`TEMPORAL_ADDRESS=localhost:${port}.`);
      expect(result.stderr).not.toContain(`localhost:7233`);
      expect(processesUsing(home)).toEqual([]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

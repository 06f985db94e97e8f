/**
 * The Temporal CLI dev server the harness stops and starts again: one SQLite file and one port
 * across restarts, so runs survive them the way they survive a restart of `troupe dev`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveTemporalBinary } from '../src/hosting/index.js';

export class RestartableDevServer {
  private child: ChildProcess | undefined;
  readonly address: string;

  constructor(
    private readonly dbFile: string,
    private readonly port: number,
  ) {
    this.address = `127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    const binary = resolveTemporalBinary('dev-server');
    if (binary.type !== 'existing-path')
      throw new Error(
        'The reliability harness needs the `temporal` CLI on PATH (or TEMPORAL_CLI_PATH): npx troupe setup',
      );
    const args = [
      'server',
      'start-dev',
      '--db-filename',
      this.dbFile,
      '--port',
      String(this.port),
      '--ip',
      '127.0.0.1',
      '--headless',
      '--log-level',
      'error',
    ];
    const child = spawn(binary.path, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    this.child = child;
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + 60_000;
    while (!(await accepts(this.port))) {
      if (!this.child) throw new Error('The Temporal dev server exited at start');
      if (Date.now() > deadline) throw new Error('The Temporal dev server did not open its port within 60s');
      await sleep(100);
    }
  }

  /** At once, e.g. when the harness exits. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  /** Stops the server with `signal` (SIGTERM: an orderly stop; SIGKILL: a crash) and waits for it to exit. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The harness's worker processes (reliability/worker.ts), kept running: one that exits (killed by
 * the harness, or stopped by a Temporal server gone down) is started again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));

export class SupervisedWorker {
  private child: ChildProcess | undefined;
  private ready = false;
  private stopped = false;
  /** Exits the harness did not cause (a lost server connection, a crash). */
  unplannedExits = 0;
  /** Retried calls that reused a journaled answer instead of calling the model again. */
  journalReuses = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly log: (line: string) => void,
    /** Called with each journal key this worker kept an answer under, as it reports it. */
    private readonly onJournaled: (key: string) => void = () => undefined,
  ) {}

  start(): void {
    this.ready = false;
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', ENTRY], {
      env: { ...process.env, ...this.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'worker ready') this.ready = true;
        else if (line === 'journal reuse') this.journalReuses += 1;
        else if (line.startsWith('journaled ')) this.onJournaled(line.slice('journaled '.length));
      }
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.ready = false;
      if (this.stopped) return;
      if (signal !== 'SIGKILL') {
        this.unplannedExits += 1;
        this.log(`worker exited (${signal ?? code}): ${stderr.trim().split('\n').at(-1) ?? ''}`);
      }
      // Started again at once after a kill; after a lost server, again and again until it is back.
      setTimeout(() => this.stopped || this.start(), signal === 'SIGKILL' ? 0 : 1_000);
    });
  }

  get isReady(): boolean {
    return this.ready && this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A crash: no shutdown, whatever it was doing is cut off. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** At once and for good, e.g. when the harness exits. */
  killNow(): void {
    this.stopped = true;
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** The worker's memory once settled: after a full garbage collection, its resident memory and JS heap in use. */
  settle(): Promise<{ rssBytes: number; heapUsedBytes: number }> {
    const child = this.child;
    if (!child) return Promise.reject(new Error('the worker is not running'));
    return new Promise((resolve) => {
      const read = (chunk: Buffer) => {
        const reading = /settled (\{.*\})/.exec(chunk.toString())?.[1];
        if (!reading) return;
        child.stdout?.off('data', read);
        resolve(JSON.parse(reading) as { rssBytes: number; heapUsedBytes: number });
      };
      child.stdout?.on('data', read);
      child.stdin?.write('settle\n');
    });
  }

  /** Resident memory of the worker process, from /proc (Linux). */
  rssBytes(): number | undefined {
    if (!this.child?.pid) return undefined;
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      return kb ? Number(kb) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }
}

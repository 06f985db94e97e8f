import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { inspect } from 'node:util';
import type { LogEntry } from '@temporalio/worker';

/**
 * Where `troupe run` (without --verbose) writes its in-process worker's log: warnings such as a
 * failed attempt come with stack traces, dozens of lines the run's own output already sums up.
 * The file is only created once something is logged; the command says so once (see onFirstEntry).
 */
export class WorkerLog {
  private entries = 0;
  private listener: ((file: string) => void) | undefined;

  constructor(readonly file: string) {}

  /** A Temporal log function (DefaultLogger's second argument). */
  readonly write = (entry: LogEntry): void => {
    const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    const line = `${at} [${entry.level}] ${entry.message}${entry.meta === undefined ? '' : ` ${inspect(entry.meta, { depth: 6, breakLength: 120 })}`}\n`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, line);
    } catch {
      // A log that cannot be written must not be lost, nor fail the worker: the terminal gets it.
      process.stderr.write(line);
      return;
    }
    this.entries += 1;
    if (this.entries === 1) this.listener?.(this.file);
  };

  /** Calls `listener` when the first entry is written (at once, if one already was). */
  onFirstEntry(listener: (file: string) => void): void {
    this.listener = listener;
    if (this.entries > 0) listener(this.file);
  }
}

let current: WorkerLog | undefined;

/** Opens the process's worker log at $TROUPE_HOME/worker.log (TROUPE_HOME defaults to ./.troupe). */
export function openWorkerLog(env: NodeJS.ProcessEnv = process.env): WorkerLog {
  current = new WorkerLog(resolve(env['TROUPE_HOME'] || '.troupe', 'worker.log'));
  return current;
}

/** The worker log this process writes to, if it keeps its worker's log out of the terminal. */
export function workerLog(): WorkerLog | undefined {
  return current;
}

/** The file as the user would type it: relative to here when it is below here. */
export function shownPath(file: string): string {
  const near = relative(process.cwd(), file);
  return near && !near.startsWith('..') && !isAbsolute(near) ? near : file;
}

import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { spawnTroupe } from './cli.js';

/** A `troupe worker` process: its output so far, when it is polling, and how it ended. */
export interface WorkerProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once the worker polls (it printed "Press Ctrl-C to stop."); rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function startWorkerProcess(args: string[], env: Record<string, string>): WorkerProcess {
  const child = spawnTroupe(['worker', ...args], env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('Press Ctrl-C to stop.') && resolve());
    void exited.then(({ code }) => reject(new Error(`troupe worker exited with ${code} before it was ready: ${stderr}`)));
  });
  return { child, pid: child.pid ?? -1, stdout: () => stdout, stderr: () => stderr, ready, exited };
}

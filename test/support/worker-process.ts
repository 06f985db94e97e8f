import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { spawnTroupe } from './cli.js';
import { devServerEnvironment } from './temporal.js';

/**
 * A dev server for the file's tests, and the environment a `troupe worker` process needs to reach it.
 * Read `env` and `cluster` inside tests: they exist once started.
 */
export function useWorkerCluster(): {
  readonly env: TestWorkflowEnvironment;
  readonly cluster: Record<string, string>;
} {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await devServerEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  const started = () => {
    if (!env) throw new Error('the dev server has not started');
    return env;
  };
  return {
    get env() {
      return started();
    },
    get cluster() {
      return { TEMPORAL_ADDRESS: started().address, TEMPORAL_NAMESPACE: 'default', ANTHROPIC_API_KEY: 'test-key' };
    },
  };
}

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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('Press Ctrl-C to stop.') && resolve());
    void exited.then(({ code }) =>
      reject(new Error(`troupe worker exited with ${code} before it was ready: ${stderr}`)),
    );
  });
  return { child, pid: child.pid ?? -1, stdout: () => stdout, stderr: () => stderr, ready, exited };
}

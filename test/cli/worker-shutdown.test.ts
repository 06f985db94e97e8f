import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TroupeClient, type RunHandle } from '../../src/client/index.js';
import { TeamRegistry } from '../../src/team/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import type { ScriptedReply } from '../../src/activities/index.js';
import { completedCalls } from '../support/agent-calls.js';
import { teams } from '../support/pool-teams.js';
import { until } from '../support/until.js';
import { startWorkerProcess, useWorkerCluster, type WorkerProcess } from '../support/worker-process.js';

// Stopping a real `troupe worker` process with SIGTERM while an agent call is in flight, or while it starts.
const TEAMS = fileURLToPath(new URL('../support/pool-teams.ts', import.meta.url));
const registry = new TeamRegistry(teams);
const dev = useWorkerCluster();

/** A worker with a slow call in flight (the run's first and only agent call), and the run. */
async function slowCallInFlight(
  taskQueue: string,
  replies: ScriptedReply[],
  workerArgs: string[],
): Promise<{ double: MessagesApiDouble; worker: WorkerProcess; run: RunHandle }> {
  const double = await startMessagesApiDouble({ ponderer: replies }, { apiKey: 'test-key' });
  const worker = startWorkerProcess(['--teams', TEAMS, '--task-queue', taskQueue, ...workerArgs], {
    ...dev.cluster,
    ANTHROPIC_BASE_URL: double.url,
  });
  await worker.ready;
  const run = await new TroupeClient(dev.env.client, registry, { taskQueue }).start('slow', 'Take your time');
  await until(() => double.scripted.callsTo('ponderer') === 1);
  return { double, worker, run };
}

const pidOf = (identity: string) => Number(identity.split('@')[0]);

describe('stopping a worker', () => {
  it('SIGTERM lets the call in flight finish within the grace period; another worker completes the run', async () => {
    const { double, worker, run } = await slowCallInFlight(
      'stop-graceful',
      [{ text: 'pondered', delayMs: 4_000 }],
      ['--shutdown-grace', '20s'],
    );
    let other: WorkerProcess | undefined;
    try {
      worker.child.kill('SIGTERM');
      const signalledAt = Date.now();
      other = startWorkerProcess(['--teams', TEAMS, '--task-queue', 'stop-graceful'], {
        ...dev.cluster,
        ANTHROPIC_BASE_URL: double.url,
      });
      expect((await run.result()).output).toBe('pondered');

      const [call] = await completedCalls(run.handle);
      expect(call).toMatchObject({ agent: 'ponderer', attempt: 1 }); // finished where it started, not retried
      expect(pidOf(call?.identity ?? '')).toBe(worker.pid);
      expect(double.scripted.callsTo('ponderer')).toBe(1);
      const exit = await worker.exited;
      expect(exit.code).toBe(0);
      expect(exit.at).toBeGreaterThanOrEqual(call?.completedAt ?? Infinity); // it waited for the call
      expect(exit.at - signalledAt).toBeLessThan(20_000);
      expect(worker.stdout()).toContain('shutdown grace 20s');
      expect(worker.stdout()).toContain('SIGTERM: stopping gracefully');
      expect(worker.stdout()).toContain('Worker stopped.');
    } finally {
      worker.child.kill('SIGKILL');
      other?.child.kill('SIGKILL');
      await double.close();
    }
  }, 90_000);

  it('a call still running when the grace ends is handed back to Temporal, and another worker finishes it', async () => {
    const { double, worker, run } = await slowCallInFlight(
      'stop-handback',
      [{ hang: true }, { text: 'pondered again' }],
      ['--shutdown-grace', '1s'],
    );
    let other: WorkerProcess | undefined;
    try {
      worker.child.kill('SIGTERM');
      const signalledAt = Date.now();
      other = startWorkerProcess(['--teams', TEAMS, '--task-queue', 'stop-handback'], {
        ...dev.cluster,
        ANTHROPIC_BASE_URL: double.url,
      });
      const exit = await worker.exited;
      expect(exit.code).toBe(0);
      expect(exit.at - signalledAt).toBeLessThan(10_000); // the grace, not the 30 s call

      expect((await run.result()).output).toBe('pondered again');
      const [call] = await completedCalls(run.handle);
      expect(call).toMatchObject({ agent: 'ponderer', attempt: 2 });
      expect(pidOf(call?.identity ?? '')).toBe(other.pid);
      expect(double.scripted.callsTo('ponderer')).toBe(2);
    } finally {
      worker.child.kill('SIGKILL');
      other?.child.kill('SIGKILL');
      await double.close();
    }
  }, 90_000);

  it('a SIGTERM that arrives while the worker starts stops it, gracefully, once it is up', async () => {
    const double = await startMessagesApiDouble({}, { apiKey: 'test-key' });
    const worker = startWorkerProcess(
      [
        '--teams',
        fileURLToPath(new URL('../support/slow-loading-teams.ts', import.meta.url)),
        '--task-queue',
        'stop-starting',
      ],
      { ...dev.cluster, ANTHROPIC_BASE_URL: double.url },
    );
    worker.ready.catch(() => undefined); // the exit code tells
    try {
      await until(() => worker.stdout().includes('Loading the teams slowly.'));
      worker.child.kill('SIGTERM');
      const exit = await worker.exited;
      expect(exit.code).toBe(0);
      const stdout = worker.stdout();
      expect(stdout).toContain('Press Ctrl-C to stop.'); // it finished starting, then stopped
      expect(stdout.indexOf('SIGTERM: stopping gracefully')).toBeGreaterThan(stdout.indexOf('Press Ctrl-C to stop.'));
      expect(stdout).toContain('Worker stopped.');
    } finally {
      worker.child.kill('SIGKILL');
      await double.close();
    }
  }, 90_000);

  it('a second signal stops the worker at once', async () => {
    const { double, worker, run } = await slowCallInFlight(
      'stop-twice',
      [{ hang: true }, { text: 'pondered at last' }],
      ['--shutdown-grace', '30s'],
    );
    let other: WorkerProcess | undefined;
    try {
      worker.child.kill('SIGTERM');
      await until(() => worker.stdout().includes('stopping gracefully'));
      worker.child.kill('SIGTERM');
      const signalledAt = Date.now();
      const exit = await worker.exited;
      expect(exit.code).toBe(143); // 128 + SIGTERM, as a shell reports a process it terminated
      expect(exit.at - signalledAt).toBeLessThan(3_000);
      expect(worker.stderr()).toContain('troupe: SIGTERM again: stopping at once');

      // The abandoned call is retried once its heartbeat stops: the run still completes, elsewhere.
      other = startWorkerProcess(['--teams', TEAMS, '--task-queue', 'stop-twice'], {
        ...dev.cluster,
        ANTHROPIC_BASE_URL: double.url,
      });
      expect((await run.result()).output).toBe('pondered at last');
      const [call] = await completedCalls(run.handle);
      expect(call).toMatchObject({ agent: 'ponderer', attempt: 2 });
      expect(pidOf(call?.identity ?? '')).toBe(other.pid);
    } finally {
      worker.child.kill('SIGKILL');
      other?.child.kill('SIGKILL');
      await double.close();
    }
  }, 90_000);
});

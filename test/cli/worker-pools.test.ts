import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TroupeClient } from '../../src/client/index.js';
import { TeamRegistry } from '../../src/team/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import type { MessagesScript } from '../../src/activities/index.js';
import { completedCalls, requestsFor } from '../support/agent-calls.js';
import { teams } from '../support/pool-teams.js';
import { until } from '../support/until.js';
import { startWorkerProcess, useWorkerCluster, type WorkerProcess } from '../support/worker-process.js';

// Many `troupe worker` processes on one dev server: sharing runs, surviving a SIGKILL, and pools of
// workers that serve the agents routed to their task queue, within a task-queue rate limit.
const TEAMS = fileURLToPath(new URL('../support/pool-teams.ts', import.meta.url));
const registry = new TeamRegistry(teams);
const dev = useWorkerCluster();

/** One Messages API double per worker process, so each request tells which process made it. */
async function doublesFor(count: number, script: MessagesScript): Promise<MessagesApiDouble[]> {
  return Promise.all(Array.from({ length: count }, () => startMessagesApiDouble(script, { apiKey: 'test-key' })));
}

const pidOf = (identity: string) => Number(identity.split('@')[0]);

async function stopAll(workers: WorkerProcess[], doubles: MessagesApiDouble[]): Promise<void> {
  for (const worker of workers) worker.child.kill('SIGKILL');
  await Promise.all(doubles.map((d) => d.close()));
}

describe('many workers on one cluster', () => {
  it('three workers share 50 runs; one is killed mid-run and the other two finish all 50, repeating no completed agent call', async () => {
    const doubles = await doublesFor(3, {
      first: [{ text: 'one', delayMs: 300 }],
      second: [{ text: 'two', delayMs: 300 }],
      third: [{ text: 'three', delayMs: 300 }],
    });
    const taskQueue = 'pool-shared';
    const workers = doubles.map((d) =>
      startWorkerProcess(['--teams', TEAMS, '--task-queue', taskQueue], { ...dev.cluster, ANTHROPIC_BASE_URL: d.url }),
    );
    try {
      await Promise.all(workers.map((w) => w.ready));
      const client = new TroupeClient(dev.env.client, registry, { taskQueue });
      const runs = await Promise.all(Array.from({ length: 50 }, (_, i) => client.start('relay', `Relay ${i}`)));
      const [victim, ...survivors] = workers as [WorkerProcess, WorkerProcess, WorkerProcess];
      const [victimDouble] = doubles as [MessagesApiDouble];
      // Kill it while it is busy: it has finished calls (answered 300 ms after they arrived), has a call
      // in flight (arrived under 250 ms ago: its answer is still to come), and the runs are far from done.
      const age = (r: { receivedAt: number }) => Date.now() - r.receivedAt;
      await until(
        () =>
          victimDouble.scripted.requests.filter((r) => age(r) > 400).length >= 5 &&
          victimDouble.scripted.requests.some((r) => age(r) < 250),
        60_000,
      );
      const requestsAtKill = doubles.reduce((n, d) => n + d.scripted.callsTo(), 0);
      victim.child.kill('SIGKILL');
      const killedAt = Date.now();
      expect(requestsAtKill).toBeLessThan(100); // of the 150 calls, most are still to come

      const results = await Promise.all(runs.map((run) => run.result()));
      expect(results.map((r) => r.output)).toEqual(runs.map(() => 'three'));
      expect(results.every((r) => r.agentCalls === 3)).toBe(true);
      // The survivors did the work after the kill; the killed worker did none.
      const requests = doubles.flatMap((d) => d.scripted.requests);
      // (A request already on its way when the process died may be read a moment later.)
      expect(victimDouble.scripted.requests.every((r) => r.receivedAt <= killedAt + 500)).toBe(true);
      for (const [i, worker] of survivors.entries()) {
        expect(
          doubles[i + 1]?.scripted.requests.some((r) => r.receivedAt > killedAt),
          `worker ${worker.pid} worked after the kill`,
        ).toBe(true);
      }

      // Every completed call: answered at the double no more often than its attempts, never again once
      // Temporal recorded it as completed, and answered twice only when the killed worker had it in flight.
      const victimRequests = new Set(victimDouble.scripted.requests);
      let repeated = 0;
      for (const run of runs) {
        const calls = await completedCalls(run.handle);
        expect(calls.map((c) => c.agent)).toEqual(['first', 'second', 'third']);
        for (const call of calls) {
          const answered = requestsFor(requests, run.workflowId, call.agent);
          expect(answered.length).toBeGreaterThanOrEqual(1);
          expect(answered.length, `${run.workflowId} ${call.agent}`).toBeLessThanOrEqual(call.attempt);
          expect(answered.every((r) => r.receivedAt <= call.completedAt)).toBe(true);
          expect(answered.slice(0, -1).every((r) => victimRequests.has(r))).toBe(true);
          repeated += answered.length - 1;
        }
      }
      expect(requests.length).toBe(150 + repeated); // no request outside the runs' completed calls
      // Among them, calls the killed worker itself completed before it died: answered once, kept.
      const completedByVictim = (await Promise.all(runs.map((run) => completedCalls(run.handle))))
        .flat()
        .filter((c) => pidOf(c.identity) === victim.pid);
      expect(completedByVictim.length).toBeGreaterThan(0);
      expect(repeated).toBeGreaterThan(0); // and the call it had in flight was tried again
      console.log(
        `50 runs, 3 workers, one killed after ${victimDouble.scripted.callsTo()} requests, having completed ${completedByVictim.length} calls: ${requests.length} requests for 150 completed calls (${repeated} in flight at the kill, tried again)`,
      );
    } finally {
      await stopAll(workers, doubles);
    }
  }, 180_000);
});

describe('worker pools by task queue', () => {
  it("an agent's model and tool calls run on its task queue, served by that pool's processes; the team's queue is its agents' default", async () => {
    const script: MessagesScript = {
      scout: [{ text: 'scouted' }],
      thinker: [{ toolUse: [{ name: 'where_am_i', input: {} }] }, { text: 'thought it through' }],
    };
    const [mainDouble, heavyDouble, lightDouble] = (await doublesFor(3, script)) as [
      MessagesApiDouble,
      MessagesApiDouble,
      MessagesApiDouble,
    ];
    const taskQueue = 'pool-workflows';
    const workers = [
      startWorkerProcess(['--teams', TEAMS, '--task-queue', taskQueue], {
        ...dev.cluster,
        ANTHROPIC_BASE_URL: mainDouble.url,
        TROUPE_TEST_POOL: 'main',
      }),
      startWorkerProcess(['--teams', TEAMS, '--task-queue', 'pool-heavy', '--activities-only'], {
        ...dev.cluster,
        ANTHROPIC_BASE_URL: heavyDouble.url,
        TROUPE_TEST_POOL: 'heavy',
      }),
      startWorkerProcess(['--teams', TEAMS, '--task-queue', 'pool-light', '--activities-only'], {
        ...dev.cluster,
        ANTHROPIC_BASE_URL: lightDouble.url,
        TROUPE_TEST_POOL: 'light',
      }),
    ];
    try {
      await Promise.all(workers.map((w) => w.ready));
      expect(workers[1]?.stdout()).toContain('Workflows: none (--activities-only');
      const run = await new TroupeClient(dev.env.client, registry, { taskQueue }).start('weighted', 'Think it through');
      const result = await run.result();
      expect(result.output).toBe('thought it through');

      const calls = await completedCalls(run.handle);
      expect(calls.map((c) => [c.activity, c.agent, c.taskQueue])).toEqual([
        ['runAgent', 'scout', 'pool-light'], // the team's queue
        ['runModelTurn', 'thinker', 'pool-heavy'], // its own queue
        ['runTool', 'thinker', 'pool-heavy'], // its tool runs in the same pool
        ['runModelTurn', 'thinker', 'pool-heavy'],
      ]);
      // Each call was answered by the pool's own process; the workflow worker made no model call.
      expect(calls.map((c) => pidOf(c.identity))).toEqual([
        workers[2]?.pid,
        workers[1]?.pid,
        workers[1]?.pid,
        workers[1]?.pid,
      ]);
      expect([mainDouble, heavyDouble, lightDouble].map((d) => d.scripted.requests.map((r) => r.agent))).toEqual([
        [],
        ['thinker', 'thinker'],
        ['scout'],
      ]);
      // The tool ran in the heavy pool's process: its result, sent back to the model, says so.
      const toolResult = JSON.stringify(heavyDouble.scripted.requests[1]?.body.messages.at(-1));
      expect(toolResult).toContain('heavy');
    } finally {
      await stopAll(workers, [mainDouble, heavyDouble, lightDouble]);
    }
  }, 120_000);

  it('a task-queue rate limit holds across the workers of a pool', async () => {
    const doubles = await doublesFor(2, { caller: [{ text: 'called' }] });
    const limit = 2;
    const taskQueue = 'pool-limited-workflows';
    const workers = [
      startWorkerProcess(['--teams', TEAMS, '--task-queue', taskQueue], {
        ...dev.cluster,
        ANTHROPIC_BASE_URL: doubles[0]?.url ?? '',
      }),
      ...doubles.map((d) =>
        startWorkerProcess(
          [
            '--teams',
            TEAMS,
            '--task-queue',
            'pool-limited',
            '--activities-only',
            '--queue-calls-per-second',
            String(limit),
          ],
          { ...dev.cluster, ANTHROPIC_BASE_URL: d.url },
        ),
      ),
    ];
    try {
      await Promise.all(workers.map((w) => w.ready));
      expect(workers[1]?.stdout()).toContain(`calls ${limit}/s on the task queue`);
      const client = new TroupeClient(dev.env.client, registry, { taskQueue });
      const runs = await Promise.all(Array.from({ length: 12 }, (_, i) => client.start('limited', `Call ${i}`)));
      await Promise.all(runs.map((run) => run.result()));

      const times = doubles.flatMap((d) => d.scripted.requests.map((r) => r.receivedAt)).sort((a, b) => a - b);
      expect(times).toHaveLength(12);
      expect(doubles.every((d) => d.scripted.callsTo() > 0)).toBe(true); // both workers of the pool served calls
      // The 12 calls are started at once. The server lets a first burst through (4 to 7 calls in our
      // runs), then hands out calls at no more than the limit, whichever worker of the pool asks.
      const at = (i: number) => ((times[i] ?? 0) - (times[0] ?? 0)) / 1000;
      const sustained = (times.length - 1 - 4) / (at(times.length - 1) - at(4));
      console.log(
        `12 calls at a limit of ${limit}/s: ${((times.length - 1) / at(times.length - 1)).toFixed(2)}/s over ${at(times.length - 1).toFixed(1)} s, ${sustained.toFixed(2)}/s after the first 4; at ${times.map((_, i) => at(i).toFixed(2)).join(', ')} s`,
      );
      expect(sustained).toBeLessThanOrEqual(limit * 1.25);
      expect(at(times.length - 1)).toBeGreaterThanOrEqual(3);
    } finally {
      await stopAll(workers, doubles);
    }
  }, 120_000);
});

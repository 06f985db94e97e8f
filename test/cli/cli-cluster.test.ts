import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/protocol/messages.js';
import { spawnTroupe, troupe } from '../support/cli.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { devServerEnvironment } from '../support/temporal.js';
import { until } from '../support/until.js';

// The CLI against a cluster named by TEMPORAL_ADDRESS (here a real dev server the test starts).
let env: TestWorkflowEnvironment;
let cluster: Record<string, string>;

beforeAll(async () => {
  env = await devServerEnvironment();
  cluster = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' };
});
afterAll(async () => {
  await env?.teardown();
});

interface StatusJson {
  status: string;
  team: string;
  result?: RunResult;
}

/**
 * Runs crash-tools detached on a worker, SIGKILLs that worker in the middle of tool call c (after a,
 * b and two model turns finished), and lets a second worker finish the run. Both workers share one
 * payload store (the tool loop's conversation), as workers on one machine do. Returns the result,
 * how often each side effect happened, and what the first worker printed.
 */
async function crashMidToolCallC(
  teams: string,
  taskQueue: string,
  model: Record<string, string>,
): Promise<{ result: RunResult; counts: Record<string, number>; firstSaid: string }> {
  const effects = join(mkdtempSync(join(tmpdir(), 'troupe-effects-')), 'effects.log');
  writeFileSync(effects, '');
  const workerEnv = {
    ...cluster,
    ...model,
    TROUPE_TEST_SIDE_EFFECTS: effects,
    TROUPE_HOME: mkdtempSync(join(tmpdir(), 'troupe-home-')),
  };
  const args = ['--teams', teams, '--task-queue', taskQueue];
  const first = spawnTroupe([...args, 'worker'], workerEnv);
  let firstSaid = '';
  first.stdout.on('data', (chunk: Buffer) => (firstSaid += chunk.toString()));
  let second: ReturnType<typeof spawnTroupe> | undefined;
  const lines = () => readFileSync(effects, 'utf8').split('\n').filter(Boolean);
  try {
    const detached = await troupe([...args, 'run', 'crash-tools', 'Record three steps.', '--detach'], cluster);
    expect(detached.code).toBe(0);
    await until(() => lines().includes('start c'));
    first.kill('SIGKILL');
    second = spawnTroupe([...args, 'worker'], workerEnv);
    const result = (await env.client.workflow.getHandle(detached.stdout.trim()).result()) as RunResult;
    const counts = lines().reduce<Record<string, number>>((n, line) => ({ ...n, [line]: (n[line] ?? 0) + 1 }), {});
    return { result, counts, firstSaid };
  } finally {
    first.kill('SIGKILL');
    second?.kill('SIGINT');
  }
}

describe('troupe on a configured cluster', () => {
  it('run uses TEMPORAL_ADDRESS instead of the embedded server, and status reads the run back', async () => {
    const run = await troupe(
      ['run', 'research-brief', 'On a cluster', '--json', '--task-queue', 'cli-cluster-a'],
      cluster,
    );
    expect(run.code).toBe(0);
    const { workflowId, status } = JSON.parse(run.stdout) as { workflowId: string; status: string };
    expect(status).toBe('COMPLETED');
    // The run lives in the cluster, not in a server that went away with the command.
    const described = await env.client.workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('COMPLETED');

    const shown = await troupe(['status', workflowId, '--json'], cluster);
    expect(shown.code).toBe(0);
    const report = JSON.parse(shown.stdout) as StatusJson;
    expect(report).toMatchObject({ status: 'COMPLETED', team: 'research-brief' });
    expect(report.result?.transcript.at(-1)).toMatchObject({ kind: 'result', from: 'writer', to: 'user' });
  });

  it('run --detach returns at once; a standalone troupe worker then completes the run', async () => {
    const detached = await troupe(
      ['run', 'research-brief', 'Detached', '--detach', '--json', '--task-queue', 'cli-cluster-b'],
      cluster,
    );
    expect(detached.code).toBe(0);
    const { workflowId, status } = JSON.parse(detached.stdout) as { workflowId: string; status: string };
    expect(status).toBe('RUNNING');
    const handle = env.client.workflow.getHandle(workflowId);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const worker = spawnTroupe(['worker', '--task-queue', 'cli-cluster-b'], cluster);
    try {
      const result = (await handle.result()) as RunResult;
      expect(result.team).toBe('research-brief');
      expect(result.agentCalls).toBe(5);
    } finally {
      worker.kill('SIGINT');
    }
    const code = await new Promise<number | null>((resolve) => worker.on('close', resolve));
    expect(code).toBe(0);
  });

  it('status names an unknown run', async () => {
    const { code, stderr } = await troupe(['status', 'no-such-run'], cluster);
    expect(code).toBe(2);
    expect(stderr).toContain('No run "no-such-run" in namespace "default"');
  });

  it('loses nothing when a worker is killed mid-call: another worker finishes the run and completed calls are not repeated', async () => {
    const double = await startMessagesApiDouble(
      {
        extractor: [{ json: { answer: 42 } }],
        drafter: [{ hang: true }, { text: 'The answer is 42.' }],
      },
      { apiKey: 'test-key' },
    );
    const workerEnv = { ...cluster, ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: double.url };
    const args = ['--teams', 'test/support/teams.ts', '--task-queue', 'cli-cluster-crash'];
    const first = spawnTroupe([...args, 'worker'], workerEnv);
    let second: ReturnType<typeof spawnTroupe> | undefined;
    try {
      const detached = await troupe([...args, 'run', 'extract-then-write', 'six times seven', '--detach'], cluster);
      const workflowId = detached.stdout.trim();
      expect(detached.code).toBe(0);
      await until(() => double.scripted.callsTo('drafter') === 1);
      first.kill('SIGKILL'); // a crash: no shutdown, the drafter's call is in flight

      second = spawnTroupe([...args, 'worker'], workerEnv);
      const result = (await env.client.workflow.getHandle(workflowId).result()) as RunResult;
      expect(result.output).toBe('The answer is 42.');
      expect(double.scripted.callsTo('extractor')).toBe(1); // finished before the crash: not repeated
      expect(double.scripted.callsTo('drafter')).toBe(2); // the interrupted call, retried once
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGINT');
      await double.close();
    }
  });

  it('repeats neither a finished tool call nor a finished model turn when a worker is killed mid tool call', async () => {
    const double = await startMessagesApiDouble(
      {
        recorder: [
          {
            toolUse: [
              { name: 'record', input: { step: 'a' } },
              { name: 'record', input: { step: 'b' } },
            ],
          },
          { toolUse: [{ name: 'record', input: { step: 'c', delayMs: 2_000 } }] },
          { text: 'recorded a, b and c' },
        ],
      },
      { apiKey: 'test-key' },
    );
    try {
      const { result, counts } = await crashMidToolCallC('test/support/teams.ts', 'cli-cluster-tool-crash', {
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_BASE_URL: double.url,
      });
      expect(result.output).toBe('recorded a, b and c');
      // Finished tool calls ran once; the interrupted one was started again and finished once.
      expect(counts).toEqual({ 'start a': 1, 'done a': 1, 'start b': 1, 'done b': 1, 'start c': 2, 'done c': 1 });
      // Three model turns, none repeated.
      expect(double.scripted.callsTo('recorder')).toBe(3);
    } finally {
      await double.close();
    }
  });

  it('offline, a worker killed mid tool loop is replaced by one that answers the next turn, repeating no tool', async () => {
    // No ANTHROPIC_API_KEY: each worker answers from the teams module's offline script, in its own memory.
    const { result, counts, firstSaid } = await crashMidToolCallC(
      'test/fixtures/offline-crash-teams.ts',
      'cli-cluster-offline-crash',
      {},
    );
    expect(result.output).toBe('recorded a, b and c');
    // The new worker's script picks up at turn 3: a and b are not booked again.
    expect(counts).toEqual({ 'start a': 1, 'done a': 1, 'start b': 1, 'done b': 1, 'start c': 2, 'done c': 1 });
    expect(result.agentCalls).toBe(3);
    // The worker serves every team of the module and said at start which agents have no scripted reply.
    expect(firstSaid).toMatch(/No scripted reply for "[^"]+\/[^"]+".*OfflineScriptMissing/);
  });

  it('retries a tool call whose worker died after its heartbeat timeout (10 s by default), not its 60 s timeout', async () => {
    const effects = join(mkdtempSync(join(tmpdir(), 'troupe-effects-')), 'effects.log');
    writeFileSync(effects, '');
    const workerEnv = {
      ...cluster,
      TROUPE_TEST_SIDE_EFFECTS: effects,
      TROUPE_HOME: mkdtempSync(join(tmpdir(), 'troupe-home-')),
    };
    const args = ['--teams', 'test/fixtures/offline-crash-teams.ts', '--task-queue', 'cli-cluster-tool-heartbeat'];
    const first = spawnTroupe([...args, 'worker'], workerEnv);
    let second: ReturnType<typeof spawnTroupe> | undefined;
    const starts = () =>
      readFileSync(effects, 'utf8')
        .split('\n')
        .filter((line) => line === 'start slow').length;
    try {
      const detached = await troupe([...args, 'run', 'crash-long-tool', 'Record slowly.', '--detach'], cluster);
      expect(detached.code).toBe(0);
      await until(() => starts() === 1);
      first.kill('SIGKILL');
      const killedAt = Date.now();
      second = spawnTroupe([...args, 'worker'], workerEnv);
      await until(() => starts() === 2, 50_000);
      const recoveredMs = Date.now() - killedAt;
      console.log(`tool call retried ${recoveredMs} ms after its worker was killed`);
      expect(recoveredMs).toBeLessThan(30_000); // the tool's timeout is 60 s: only the heartbeat can make it sooner
      const result = (await env.client.workflow.getHandle(detached.stdout.trim()).result()) as RunResult;
      expect(result.output).toBe('recorded slowly');
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGINT');
    }
  }, 90_000);

  it('troupe worker says at start how its MCP servers are', async () => {
    const worker = spawnTroupe(
      ['--teams', 'test/fixtures/mcp-teams.ts', 'worker', '--task-queue', 'cli-cluster-mcp-health'],
      cluster,
    );
    let said = '';
    worker.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
    try {
      await until(() => said.includes('Press Ctrl-C to stop.'), 60_000);
      expect(said).toMatch(/MCP server "calc" \(.*mcp-server\.ts\): connected, tools add/);
    } finally {
      worker.kill('SIGINT');
    }
  }, 90_000);

  it('troupe list shows team, topology, status, tokens and the cost estimated from TROUPE_PRICES', async () => {
    const prices: Record<string, { input: number; output: number; cacheRead?: number }> = {
      'claude-sonnet-5-5': { input: 3, output: 15 },
      'claude-haiku-5-5': { input: 1, output: 5, cacheRead: 0.1 },
    };
    const run = await troupe(['run', 'research-brief', 'Priced run', '--json', '--task-queue', 'cli-cluster-list'], {
      ...cluster,
      TROUPE_PRICES: JSON.stringify(prices),
    });
    expect(run.code).toBe(0);
    const { workflowId, result } = JSON.parse(run.stdout) as { workflowId: string; result: RunResult };
    // The estimate, recomputed from the transcript: every agent call's tokens at its model's price.
    const expected = result.transcript.reduce((sum, e) => {
      const price = e.model ? prices[e.model] : undefined;
      if (!price || !e.usage) return sum;
      const cacheRead = price.cacheRead ?? price.input;
      return (
        sum +
        (e.usage.inputTokens * price.input +
          e.usage.outputTokens * price.output +
          e.usage.cacheReadTokens * cacheRead +
          e.usage.cacheWriteTokens * price.input) /
          1e6
      );
    }, 0);
    expect(result.costUsd).toBeCloseTo(expected, 9);

    const deadline = Date.now() + 20_000;
    let listed: {
      workflowId: string;
      team: string;
      topology: string;
      status: string;
      tokens: number;
      costUsd: number;
    }[] = [];
    while (!listed.some((r) => r.workflowId === workflowId && r.status === 'completed') && Date.now() < deadline) {
      listed = JSON.parse(
        (await troupe(['list', '--team', 'research-brief', '--json'], cluster)).stdout,
      ) as typeof listed;
    }
    const row = listed.find((r) => r.workflowId === workflowId);
    expect(row).toMatchObject({ team: 'research-brief', topology: 'pipeline', status: 'completed' });
    expect(row?.tokens).toBe(
      result.usage.inputTokens +
        result.usage.outputTokens +
        result.usage.cacheReadTokens +
        result.usage.cacheWriteTokens,
    );
    expect(row?.costUsd).toBeCloseTo(expected, 6);
    const text = await troupe(['list', '--query', `WorkflowId = '${workflowId}'`], cluster);
    expect(text.stdout).toMatch(
      new RegExp(`^${workflowId}  research-brief  pipeline  completed  \\d+ tokens  \\$\\d+\\.\\d{4}  `),
    );
  });

  it('rejects malformed TROUPE_PRICES before starting anything', async () => {
    const { code, stderr } = await troupe(['run', 'research-brief', 'x'], {
      ...cluster,
      TROUPE_PRICES: '{"claude-sonnet-5-5": {"input": "cheap"}}',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('TROUPE_PRICES is not valid');
  });

  it('serves worker metrics in Prometheus format when TROUPE_METRICS_ADDRESS is set', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const worker = spawnTroupe(['worker', '--task-queue', 'cli-cluster-metrics'], {
      ...cluster,
      TROUPE_METRICS_ADDRESS: `127.0.0.1:${port}`,
    });
    try {
      let body = '';
      const deadline = Date.now() + 30_000;
      while (!body.includes('task_queue="cli-cluster-metrics"') && Date.now() < deadline) {
        body = await fetch(`http://127.0.0.1:${port}/metrics`).then(
          (r) => r.text(),
          () => '',
        );
        if (!body) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(body).toMatch(/^temporal_\w+/m);
      expect(body).toContain('task_queue="cli-cluster-metrics"');
    } finally {
      worker.kill('SIGINT');
    }
  });

  it('rejects a malformed metrics address', async () => {
    const { code, stderr } = await troupe(['worker'], { ...cluster, TROUPE_METRICS_ADDRESS: 'everywhere' });
    expect(code).toBe(2);
    expect(stderr).toContain('TROUPE_METRICS_ADDRESS "everywhere" is not host:port');
  });
});

describe('bad input on a cluster gets one clear error, exit code 2 and no stack trace', () => {
  it('history of an unknown run', async () => {
    const { code, stderr } = await troupe(['history', 'no-such-run'], cluster);
    expect(stderr).toContain('troupe: No run "no-such-run" in namespace "default"');
    expect(stderr).toContain('check the workflow id');
    expect(stderr).not.toContain('    at ');
    expect(code).toBe(2);
  });

  it('list with a query Temporal rejects quotes its reason', async () => {
    const { code, stderr } = await troupe(['list', '--query', '((('], cluster);
    expect(stderr).toContain(
      'troupe: --query "(((" is not a valid Temporal list filter (Temporal says: invalid query: ',
    );
    expect(stderr).toContain('https://docs.temporal.io/list-filter');
    expect(stderr).not.toContain('    at ');
    expect(code).toBe(2);
  });

  it('approve --signal to an unknown run', async () => {
    const { code, stderr } = await troupe(['approve', 'no-such-run', '--by', 'ana', '--signal'], cluster);
    expect(stderr).toContain('troupe: No running run "no-such-run" in namespace "default"');
    expect(stderr).not.toContain('    at ');
    expect(code).toBe(2);
  });

  it('run with the workflow id of a run already running: refused, and the running run is left untouched', async () => {
    // No worker polls this task queue, so the first run stays at its first workflow task.
    const args = ['--task-queue', 'cli-cluster-duplicate', '--workflow-id', 'cli-cluster-duplicate-run'];
    const first = await troupe(['run', 'research-brief', 'First', '--detach', ...args], cluster);
    expect(first.code).toBe(0);
    const handle = env.client.workflow.getHandle('cli-cluster-duplicate-run');
    const { runId } = await handle.describe();
    const eventsBefore = (await handle.fetchHistory()).events?.length;

    const second = await troupe(['run', 'research-brief', 'Second', ...args], cluster);
    expect(second.stderr).toContain(
      'troupe: A run with workflow id "cli-cluster-duplicate-run" is already running, and keeps running untouched: follow it with `troupe status cli-cluster-duplicate-run`, or pass another --workflow-id',
    );
    expect(second.stderr).not.toContain('    at ');
    expect(second.code).toBe(2);
    // The refused command's worker never joined in: the first run is still running, its history unchanged.
    const described = await handle.describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.runId).toBe(runId);
    expect((await handle.fetchHistory()).events?.length).toBe(eventsBefore);
  });
});

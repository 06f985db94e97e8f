import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/workflows/messages.js';
import { spawnTroupe, troupe } from '../support/cli.js';
import { startMessagesApiDouble } from '../support/messages-api-double.js';
import { devServerEnvironment } from '../support/temporal.js';

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

describe('troupe on a configured cluster', () => {
  it('run uses TEMPORAL_ADDRESS instead of the embedded server, and status reads the run back', async () => {
    const run = await troupe(['run', 'research-brief', 'On a cluster', '--json', '--task-queue', 'cli-cluster-a'], cluster);
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
    const detached = await troupe(['run', 'research-brief', 'Detached', '--detach', '--json', '--task-queue', 'cli-cluster-b'], cluster);
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
        drafter: [{ text: 'never delivered', delayMs: 60_000 }, { text: 'The answer is 42.' }],
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
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { describe, expect, it } from 'vitest';
import { TroupeClient, readRunHistory, type RunHistory } from '../../src/client/index.js';
import type { Prices, Usage } from '../../src/protocol/index.js';
import type { RunProgress } from '../../src/protocol/messages.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { registry } from '../support/teams.js';
import { uniqueId, useTemporal } from '../support/temporal.js';
import { until } from '../support/until.js';

// One ledger, one truth: the run's progress (troupe status), its result, its event history
// (troupe history) and its search attributes (troupe list) agree on calls, tokens and cost.
const temporal = useTemporal('dev-server');

const tokens = (u: Usage) => u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;
const PRICES: Prices = { 'claude-sonnet-5-5': { input: 3, output: 15 } };

async function accountingRun(prices: Prices) {
  const double = await startMessagesApiDouble({
    extractor: [{ text: 'not json' }, { json: { answer: 42 } }], // one repair: two paid calls
    primary: [{ error: { status: 400, message: 'bad request' } }], // fails for good: the fallback takes over
    backup: [{ text: 'the answer is 42' }],
    gamma: [{ text: 'checked by the sub-team' }],
  });
  const taskQueue = uniqueId('tq');
  const worker = await createTroupeWorker({
    connection: temporal.env.nativeConnection,
    taskQueue,
    teams: registry,
    anthropic: double.client(),
    workflowBundle: temporal.bundle,
  });
  const running = worker.run();
  const troupe = new TroupeClient(temporal.env.client, registry, { taskQueue, searchAttributes: true, prices });
  const run = await troupe.start('accounting', 'Count everything.', { workflowId: uniqueId('accounting') });
  const history = async (): Promise<RunHistory> =>
    readRunHistory(run.workflowId, await run.handle.fetchHistory(), (id) =>
      temporal.env.client.workflow.getHandle(id).fetchHistory(),
    );
  const listed = async () => (await troupe.list({ query: `WorkflowId = '${run.workflowId}'` }))[0];
  const stop = async () => {
    worker.shutdown();
    await running;
    await double.close();
  };
  return { run, double, history, listed, stop };
}

describe('accounting agrees everywhere', () => {
  it('on a run with a repair, a fallback and a sub-team, while it waits and once it is done', async () => {
    const { run, double, history, listed, stop } = await accountingRun(PRICES);
    try {
      let progress: RunProgress | undefined;
      await until(async () => (progress = await run.progress())?.awaiting?.gate === 'release');
      // extractor x2, primary (failed), backup, gamma in the sub-team.
      expect(double.scripted.callsTo()).toBe(5);
      expect(progress?.agentCalls).toBe(5);
      expect(tokens(progress!.usage)).toBeGreaterThan(0);
      expect(progress?.costUsd).toBeGreaterThan(0);

      const waiting = await history();
      expect(waiting.agentCalls).toBe(progress?.agentCalls);
      expect(waiting.usage).toEqual(progress?.usage);
      expect(waiting.costUsd).toBeCloseTo(progress!.costUsd!, 9);
      const failedRepair = waiting.steps.find(
        (s) => s.kind === 'agent' && s.failure?.type === 'InvalidStructuredOutput',
      );
      expect(failedRepair?.kind === 'agent' && tokens(failedRepair.usage!)).toBeGreaterThan(0); // the paid call that failed the schema

      await until(async () => (await listed())?.status === 'awaiting-approval');
      const whileWaiting = await listed();
      expect(whileWaiting?.tokens).toBe(tokens(progress!.usage));
      expect(whileWaiting?.costUsd).toBeCloseTo(progress!.costUsd!, 6);

      await run.decide({ by: 'ana', decision: 'approve' });
      const result = await run.result();
      const done = await history();
      expect(result.agentCalls).toBe(5);
      expect(done.agentCalls).toBe(result.agentCalls);
      expect(done.usage).toEqual(result.usage);
      expect(done.costUsd).toBeCloseTo(result.costUsd!, 9);
      await until(async () => (await listed())?.status === 'completed');
      const closed = await listed();
      expect(closed?.tokens).toBe(tokens(result.usage));
      expect(closed?.costUsd).toBeCloseTo(result.costUsd!, 6);
    } finally {
      await stop();
    }
  });

  it('without prices, no cost anywhere: not $0 while running and nothing once done', async () => {
    const { run, history, listed, stop } = await accountingRun({});
    try {
      await until(async () => (await run.progress())?.awaiting?.gate === 'release');
      expect((await run.progress())?.costUsd).toBeUndefined();
      await until(async () => (await listed())?.status === 'awaiting-approval');
      expect((await listed())?.costUsd).toBeUndefined();
      await run.decide({ by: 'ana', decision: 'approve' });
      const result = await run.result();
      expect(result.costUsd).toBeUndefined();
      expect((await history()).costUsd).toBeUndefined();
      await until(async () => (await listed())?.status === 'completed');
      expect((await listed())?.costUsd).toBeUndefined();
    } finally {
      await stop();
    }
  });
});

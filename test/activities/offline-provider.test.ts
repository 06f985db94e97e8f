import { describe, expect, it } from 'vitest';
import { AGENT_HEADER, RUN_HEADER, createOfflineAnthropic, type MessagesScript } from '../../src/activities/index.js';
import { describeFailure } from '../../src/client/failure.js';
import { TroupeClient } from '../../src/client/index.js';
import { FailureType } from '../../src/team/index.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { registry } from '../support/teams.js';
import { uniqueId, useTemporal } from '../support/temporal.js';

// The offline provider (the real SDK, scripted through its fetch option), as the demo uses it.
const temporal = useTemporal('time-skipping');

async function withOfflineWorker<T>(script: MessagesScript, body: (troupe: TroupeClient) => Promise<T>): Promise<T> {
  const { anthropic } = createOfflineAnthropic(script);
  const taskQueue = uniqueId('tq');
  const worker = await createTroupeWorker({
    connection: temporal.env.nativeConnection,
    taskQueue,
    teams: registry,
    anthropic,
    workflowBundle: temporal.bundle,
  });
  return worker.runUntil(body(new TroupeClient(temporal.env.client, registry, { taskQueue })));
}

const decide = (done: boolean, workers: string[] = []) => ({
  json: {
    done,
    answer: done ? 'final' : 'plan',
    assignments: workers.map((worker) => ({ worker, task: `task for ${worker}` })),
  },
});

describe('offline provider', () => {
  it("serves every run of a team the same replies, in that run's own turn order", async () => {
    const script: MessagesScript = {
      boss: [decide(false, ['alpha']), decide(false, ['beta']), decide(true)],
      alpha: [{ text: 'from alpha' }],
      beta: [{ text: 'from beta' }],
    };
    const routes = await withOfflineWorker(script, async (troupe) => {
      const seen: string[][] = [];
      for (let i = 0; i < 3; i += 1) {
        const result = await (await troupe.start('supervised', 'x', { workflowId: uniqueId('supervised') })).result();
        seen.push(result.transcript.map((e) => `${e.kind}:${e.from}->${e.to}`));
      }
      return seen;
    });
    expect(routes[0]).toContain('output:alpha->boss');
    expect(routes[0]).toContain('output:beta->boss');
    expect(routes[1]).toEqual(routes[0]);
    expect(routes[2]).toEqual(routes[0]);
  });

  it('says plainly when the script has no reply for an agent, and how to add one', async () => {
    const failure = await withOfflineWorker({ drafter: [{ text: 'draft' }] }, async (troupe) =>
      (await troupe.start('extract-then-write', 'x', { workflowId: uniqueId('no-script') })).result().then(
        () => undefined,
        (error: unknown) => describeFailure(error),
      ),
    );
    expect(failure?.type).toBe(FailureType.OfflineScriptMissing);
    expect(failure?.message).toContain('agent "extractor": the offline provider has no scripted reply for it');
    expect(failure?.message).toContain('offlineScript');
    expect(failure?.message).toContain('ANTHROPIC_API_KEY');
    expect(failure?.message).not.toContain('maxTokens');
  });

  it("keeps no requests and a bounded memory of runs when it serves for long, as a worker's does", async () => {
    const { anthropic, scripted } = createOfflineAnthropic(
      { a: [{ text: 'one' }, { text: 'two' }] },
      { record: false },
    );
    const ask = async (run: string) => {
      const message = await anthropic.messages.create(
        { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
        { headers: { [AGENT_HEADER]: 'a', [RUN_HEADER]: run } },
      );
      return message.content[0]?.type === 'text' ? message.content[0].text : '';
    };
    expect([await ask('r0'), await ask('r0'), await ask('r1')]).toEqual(['one', 'two', 'one']);
    expect(scripted.requests).toEqual([]);
    // Ten thousand later runs: the first run's place in the script is forgotten, a recent run's is not.
    for (let i = 2; i <= 10_001; i += 1)
      scripted.respond({ model: 'm', max_tokens: 10, messages: [] }, { [AGENT_HEADER]: 'a', [RUN_HEADER]: `r${i}` });
    expect([await ask('r0'), await ask('r10001')]).toEqual(['one', 'two']);
  });
});

import { describe, expect, it } from 'vitest';
import { TroupeClient, type RunEvent } from '../../src/client/index.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { registry } from '../support/teams.js';
import { uniqueId, useTemporal } from '../support/temporal.js';

const temporal = useTemporal('time-skipping');

describe('following a run', () => {
  it('reports every envelope once, in order, past the 200 a run keeps in memory', async () => {
    const argue = (position: string) => ({ json: { position, argument: `because ${position}` } });
    const double = await startMessagesApiDouble({ pro: [argue('yes')], con: [argue('no')] });
    const taskQueue = uniqueId('tq');
    const worker = await createTroupeWorker({
      connection: temporal.env.nativeConnection,
      taskQueue,
      teams: registry,
      anthropic: double.client(),
      workflowBundle: temporal.bundle,
    });
    try {
      const { events, result } = await worker.runUntil(async () => {
        const run = await new TroupeClient(temporal.env.client, registry, { taskQueue }).start('long-debate', 'x', {
          workflowId: uniqueId('long'),
        });
        const events: RunEvent[] = [];
        for await (const event of run.follow(20)) events.push(event);
        return { events, result: await run.result() };
      });
      const seqs = events.flatMap((e) => (e.kind === 'envelope' ? [e.envelope.seq] : []));
      expect(result.envelopeCount).toBeGreaterThan(200);
      expect(seqs).toEqual(Array.from({ length: result.envelopeCount }, (_, i) => i));
    } finally {
      await double.close();
    }
  });
});

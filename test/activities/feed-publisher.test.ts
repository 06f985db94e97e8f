import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FeedPublisher, UNREAD_RECHECK_MS } from '../../src/activities/feed-publisher.js';
import type { FeedBatch } from '../../src/protocol/feed-interface.js';

const target = { workflowId: 'run-1', path: ['writer'], batchMs: 50 };
const words = Array.from({ length: 12 }, (_, i) => `w${i} `);

/** Writes the words 40 ms apart, as a model would, then finishes with the whole text. */
async function write(publisher: FeedPublisher): Promise<{ attempt: number; text: string }> {
  for (const word of words) {
    publisher.text(word);
    await sleep(40);
  }
  return publisher.finish(words.join(''));
}

function recorder(fail = false) {
  const batches: FeedBatch[] = [];
  const warnings: string[] = [];
  return {
    batches,
    warnings,
    send: async (batch: FeedBatch) => {
      await sleep(5);
      if (fail) throw new Error('signal refused');
      batches.push(batch);
    },
    warn: (message: string) => void warnings.push(message),
    sent: () =>
      batches
        .flatMap((b) => b.events)
        .map((e) => (e.type === 'text' ? e.text : ''))
        .join(''),
  };
}

describe('FeedPublisher', () => {
  it('sends the text in batches, in order, while someone reads, and returns only what is left', async () => {
    const r = recorder();
    const tail = await write(
      new FeedPublisher(target, { turn: 3, attempt: 1 }, 'p', r.send, r.warn, () => Promise.resolve(true)),
    );
    expect(r.batches.length).toBeGreaterThanOrEqual(3);
    expect(r.batches.map((b) => b.seq)).toEqual(r.batches.map((_, i) => i + 1));
    expect(r.batches[0]?.events[0]).toMatchObject({ type: 'text', path: ['writer'], turn: 3, attempt: 1 });
    expect(r.sent() + tail.text).toBe(words.join(''));
    expect(tail.text.length).toBeLessThan(words.join('').length);
  });

  it('sends nothing while no one reads: the whole text comes back with the result', async () => {
    const r = recorder();
    let asked = 0;
    const tail = await write(
      new FeedPublisher(target, { turn: 1, attempt: 1 }, 'p', r.send, r.warn, () => {
        asked += 1;
        return Promise.resolve(false);
      }),
    );
    expect(r.batches).toEqual([]);
    expect(tail).toEqual({ attempt: 1, text: words.join('') });
    expect(asked).toBe(1); // asked once when the first batch was due; the next ask is seconds away
  });

  it('starts sending once a reader comes, asking again every few seconds', async () => {
    const r = recorder();
    let reader = false;
    const publisher = new FeedPublisher(target, { turn: 1, attempt: 1 }, 'p', r.send, r.warn, () =>
      Promise.resolve(reader),
    );
    publisher.text('before ');
    await sleep(100);
    reader = true;
    await sleep(UNREAD_RECHECK_MS + 200);
    expect(r.sent()).toBe('before ');
    publisher.text('after');
    const tail = await publisher.finish('before after');
    expect(r.sent() + tail.text).toBe('before after');
  });

  it("marks a later attempt at once, so a reader drops the dead attempt's text", async () => {
    const r = recorder();
    const publisher = new FeedPublisher(target, { turn: 2, attempt: 3 }, 'p', r.send, r.warn, () =>
      Promise.resolve(false),
    );
    const tail = await publisher.finish('whole');
    expect(r.batches[0]?.events).toEqual([{ type: 'call-retried', path: ['writer'], turn: 2, attempt: 3 }]);
    expect(tail).toEqual({ attempt: 3, text: 'whole' });
  });

  it('never fails the call when the feed refuses a batch: it warns, and the text comes back with the result', async () => {
    const r = recorder(true);
    const tail = await write(
      new FeedPublisher(target, { turn: 1, attempt: 1 }, 'p', r.send, r.warn, () => Promise.resolve(true)),
    );
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings[0]).toMatch(/did not take a batch: signal refused/);
    expect(tail.text).toBe(words.join(''));
  });
});

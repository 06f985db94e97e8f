import { describe, expect, it } from 'vitest';
import { FeedLog } from '../../../src/workflows/runtime/feed/feed-log.js';
import type { FeedEvent } from '../../../src/protocol/feed-events.js';

const AT = '2026-12-08T00:00:00.000Z';
const text = (t: string, attempt = 1, turn = 1): FeedEvent => ({
  type: 'text',
  path: ['writer'],
  turn,
  attempt,
  text: t,
});
const texts = (log: FeedLog, from = 0) =>
  log.read(from).items.map((item) => (item.type === 'text' ? item.text : item.type));

describe('FeedLog', () => {
  it('gives items consecutive offsets and reads from any kept offset', () => {
    const log = new FeedLog(undefined, 1_000_000);
    for (const t of ['a', 'b', 'c']) log.append(text(t), AT);
    expect(log.end).toBe(3);
    expect(log.read(0).items.map((i) => i.offset)).toEqual([0, 1, 2]);
    expect(texts(log, 1)).toEqual(['b', 'c']);
    expect(log.read(3)).toEqual({ items: [], next: 3 });
    expect(log.read(0, 2).next).toBe(2);
  });

  it('refuses an offset past the end, a negative one, and one no longer kept, naming the range', () => {
    const log = new FeedLog(undefined, 200);
    for (let i = 0; i < 10; i += 1) log.append(text(`chunk ${i}`), AT);
    expect(log.problem(log.end + 1)).toMatch(/past the end of the feed \(its next offset is 10\)/);
    expect(log.problem(-1)).toMatch(/whole number from 0/);
    expect(log.start).toBeGreaterThan(0);
    expect(log.problem(0)).toMatch(new RegExp(`keeps offsets from ${log.start}`));
    expect(log.problem(log.start)).toBeUndefined();
    expect(log.bytes).toBeLessThanOrEqual(200);
  });

  it('drops a batch taken before (a resent signal), so nothing is repeated', () => {
    const log = new FeedLog(undefined, 1_000_000);
    expect(log.publish({ publisher: 'p', seq: 1, events: [text('a')] }, AT)).toBe(1);
    expect(log.publish({ publisher: 'p', seq: 1, events: [text('a')] }, AT)).toBe(0);
    expect(log.publish({ publisher: 'p', seq: 2, events: [text('b')] }, AT)).toBe(1);
    expect(log.publish({ publisher: 'q', seq: 1, events: [text('c')] }, AT)).toBe(1);
    expect(texts(log)).toEqual(['a', 'b', 'c']);
  });

  it("voids a dead attempt's text that arrives after its retry began, and anything after the call finished", () => {
    const log = new FeedLog(undefined, 1_000_000);
    log.append(text('first try', 1), AT);
    log.append({ type: 'call-retried', path: ['writer'], turn: 1, attempt: 2 }, AT);
    log.append(text('late from the first try', 1), AT);
    log.append(text('second try', 2), AT);
    log.append({ type: 'call-finished', path: ['writer'], turn: 1, stopReason: 'end_turn' }, AT);
    log.append(text('after the end', 2), AT);
    // Another call (turn 2) is not affected.
    log.append(text('next turn', 1, 2), AT);
    expect(texts(log)).toEqual(['first try', 'call-retried', 'second try', 'call-finished', 'next turn']);
  });

  it('carries the newest items up to a size, with offsets and publishers, into the next run', () => {
    const log = new FeedLog(undefined, 1_000_000);
    for (let i = 0; i < 20; i += 1) log.publish({ publisher: 'p', seq: i + 1, events: [text(`item ${i}`)] }, AT);
    const size = JSON.stringify(log.read(19).items[0]).length;
    const carried = log.state(size * 5);
    expect(carried.items).toHaveLength(5);
    expect(carried.start).toBe(15);
    const next = new FeedLog(carried, 1_000_000);
    expect(next.end).toBe(20);
    expect(next.problem(14)).toMatch(/keeps offsets from 15/);
    expect(texts(next, 18)).toEqual(['item 18', 'item 19']);
    // Only the latest publishers are carried.
    const many = new FeedLog(undefined, 1_000_000);
    for (let i = 0; i < 150; i += 1) many.publish({ publisher: `p${i}`, seq: 1, events: [text('x')] }, AT);
    expect(Object.keys(many.state(0).publishers)).toHaveLength(100);
    expect(many.state(0).publishers['p149']).toBe(1);
    // The publisher's last batch came across: it is not taken again.
    expect(next.publish({ publisher: 'p', seq: 20, events: [text('again')] }, AT)).toBe(0);
    next.append(text('new'), AT);
    expect(next.read(20).items[0]?.offset).toBe(20);
  });
});

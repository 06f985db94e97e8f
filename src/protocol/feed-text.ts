import type { FeedItem } from './feed-events.js';

/**
 * The text members wrote, read from feed items as a client receives them: text deltas in offset
 * order, without what an attempt wrote before a `call-retried` gave up on it. `path`: one member's
 * text only (`['writer']`, `['research', 'writer']`); all members' otherwise.
 */
export function feedText(items: Iterable<FeedItem>, path?: readonly string[]): string {
  const wanted = path?.join('/');
  const latest = new Map<string, number>();
  const texts: Extract<FeedItem, { type: 'text' }>[] = [];
  for (const item of items) {
    if (wanted !== undefined && item.path.join('/') !== wanted) continue;
    if (item.type === 'call-retried') latest.set(callOf(item), item.attempt);
    if (item.type === 'text') texts.push(item);
  }
  return texts
    .filter((item) => item.attempt >= (latest.get(callOf(item)) ?? 1))
    .map((item) => item.text)
    .join('');
}

function callOf(item: { path: string[]; turn: number }): string {
  return `${item.path.join('/')}#${item.turn}`;
}

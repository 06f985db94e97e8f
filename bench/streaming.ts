// The streaming cases' measuring tools: a token's time from the model double to a reader, and a history's bytes by kind of event.
import proto from '@temporalio/proto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FeedItem } from '../src/protocol/feed-events.js';

const { temporal } = proto;

/** The text deltas in a piece of a streamed reply (server-sent events, as the Messages API double writes them). */
export function textDeltasIn(data: string): string[] {
  const texts: string[] = [];
  for (const line of data.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const event = JSON.parse(line.slice('data: '.length)) as {
      type?: string;
      delta?: { type?: string; text?: string };
    };
    if (event.type === 'content_block_delta' && event.delta?.type === 'text_delta' && event.delta.text !== undefined)
      texts.push(event.delta.text);
  }
  return texts;
}

const wordsIn = (text: string) => text.split(/\s+/).filter((word) => word !== '');

/** One token's trip: when the double wrote it, and how long it took to reach the reader. */
export interface TokenTrip {
  word: string;
  /** Its place in its call's answer (0, 1, ...), from the word itself ("<tag><call>w<n>"). */
  index: number;
  ms: number;
}

/**
 * Times each token (a word of its own: see writersScript) from the moment the double wrote it
 * (`sent`, the double's onChunk) to the moment a reader got it (`received`). One run at a time:
 * `start` forgets the tokens of the run before.
 */
export class TokenClock {
  private sentAt = new Map<string, number>();
  trips: TokenTrip[] = [];
  private unknown = 0;

  start(): void {
    this.sentAt = new Map();
    this.trips = [];
    this.unknown = 0;
  }

  sent = ({ data, at }: { data: string; at: number }): void => {
    for (const text of textDeltasIn(data))
      for (const word of wordsIn(text)) if (!this.sentAt.has(word)) this.sentAt.set(word, at);
  };

  received(text: string, at = Date.now()): void {
    for (const word of wordsIn(text)) {
      const sent = this.sentAt.get(word);
      if (sent === undefined) this.unknown += 1;
      else this.trips.push({ word, index: Number(/(\d+)$/.exec(word)?.[1] ?? NaN), ms: at - sent });
    }
  }

  /** The run's trips; throws (the benchmark is broken) unless every token sent arrived once, and nothing else did. */
  check(expected: number): TokenTrip[] {
    const words = new Set(this.trips.map((trip) => trip.word));
    if (this.unknown > 0 || this.trips.length !== expected || words.size !== expected || this.sentAt.size !== expected)
      throw new Error(
        `streaming bench: expected ${expected} tokens sent and read once each; sent ${this.sentAt.size}, read ${this.trips.length} (${words.size} different), ${this.unknown} never sent`,
      );
    return this.trips;
  }
}

/** The value below which `p` percent of `values` lie (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** p50, p95 and the largest of a set of delays, whole ms, and how many there were. */
export function spread(values: number[]): { p50: number; p95: number; max: number; tokens: number } {
  return {
    p50: Math.round(percentile(values, 50)),
    p95: Math.round(percentile(values, 95)),
    max: Math.round(Math.max(...values)),
    tokens: values.length,
  };
}

/** A history's size: its events and the bytes of each serialized (protobuf, as the server returns it), by kind. */
export interface HistorySize {
  events: number;
  bytes: number;
  kinds: Record<string, { events: number; bytes: number }>;
}

/** What each history event is, for the breakdown: the feed's signals and reads apart from the rest. */
function kindOf(type: string): string {
  if (type === 'WORKFLOW_EXECUTION_SIGNALED') return 'signals';
  if (type.startsWith('WORKFLOW_EXECUTION_UPDATE_')) return 'updates';
  if (type.startsWith('WORKFLOW_TASK_')) return 'workflow tasks';
  if (type.startsWith('ACTIVITY_TASK_')) return 'activities';
  return 'other';
}

/**
 * The size of one run's history (not its children's): the sum over its events of each event's
 * serialized size (`HistoryEvent.encode(event)`, its payloads included; not the few bytes of framing
 * a `History` message adds per event).
 */
export function historySize(history: proto.temporal.api.history.v1.IHistory): HistorySize {
  const size: HistorySize = { events: 0, bytes: 0, kinds: {} };
  for (const event of history.events ?? []) {
    const bytes = temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
    const type = (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'UNKNOWN').replace(/^EVENT_TYPE_/, '');
    const kind = (size.kinds[kindOf(type)] ??= { events: 0, bytes: 0 });
    kind.events += 1;
    kind.bytes += bytes;
    size.events += 1;
    size.bytes += bytes;
  }
  return size;
}

/** Reads that failed and were resumed, by case, with the first failure's message: a busy machine shows here. */
export const resumed: Record<string, { count: number; first: string }> = {};

/**
 * Reads a run's feed to its end as an app would: when a read fails, it reads on from the offset after
 * the last item it had (nothing lost, nothing repeated), up to `tries` times, counting each in `resumed`.
 */
export async function readFeed(
  stream: (options: { from: number }) => AsyncIterable<FeedItem>,
  onItem: (item: FeedItem) => void,
  label: string,
  tries = 5,
): Promise<void> {
  let from = 0;
  for (let failures = 0; ; failures += 1) {
    try {
      for await (const item of stream({ from })) {
        onItem(item);
        from = item.offset + 1;
      }
      return;
    } catch (error) {
      if (failures >= tries) throw error;
      const seen = (resumed[label] ??= { count: 0, first: (error as Error).message });
      seen.count += 1;
      await sleep(500);
    }
  }
}

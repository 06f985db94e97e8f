import type { FeedEvent, FeedItem } from '../../../protocol/feed-events.js';
import type { FeedBatch } from '../../../protocol/feed-interface.js';

/**
 * The feed as the root run holds it: an append-only log of items with offsets that go on across
 * continue-as-new. Plain TypeScript with no Temporal import, so its rules are unit-tested without a
 * server: offsets, reading from an offset, dropping a batch sent twice, voiding a dead attempt's
 * late text, and how much is kept in memory and carried.
 */

/** What the log carries across continue-as-new. */
export interface FeedLogState {
  /** The offset of the first item kept. */
  start: number;
  items: FeedItem[];
  /** The last batch taken from each recent publisher. */
  publishers: Record<string, number>;
}

/** Publishers remembered (a resent batch comes within seconds of the first; older ones are done). */
const REMEMBERED_PUBLISHERS = 1_000;
/** Publishers carried across continue-as-new. */
const CARRIED_PUBLISHERS = 100;
/** Calls whose latest attempt is remembered (a dead attempt's late signal comes within seconds). */
const REMEMBERED_CALLS = 1_000;
const DEFAULT_PAGE = 1_000;

export class FeedLog {
  private first: number;
  private readonly items: FeedItem[];
  private readonly sizes: number[];
  private readonly publishers: Map<string, number>;
  /** The latest attempt of each call in progress: an earlier attempt's text that arrives late is dropped. */
  private readonly attempts = new Map<string, number>();
  private size = 0;

  constructor(
    state: FeedLogState | undefined,
    /** The most bytes of items kept in memory: beyond it the oldest are dropped (a reader that far behind is told). */
    private readonly maxBytes: number,
  ) {
    this.first = state?.start ?? 0;
    this.items = [...(state?.items ?? [])];
    this.sizes = this.items.map(sizeOf);
    this.size = this.sizes.reduce((a, b) => a + b, 0);
    this.publishers = new Map(Object.entries(state?.publishers ?? {}));
  }

  /** The offset the next item will have. */
  get end(): number {
    return this.first + this.items.length;
  }

  /** The offset of the oldest item still kept. */
  get start(): number {
    return this.first;
  }

  /** Bytes of the items kept (as JSON): what the run weighs toward continue-as-new. */
  get bytes(): number {
    return this.size;
  }

  /** Appends one event, giving it its offset and time. */
  append(event: FeedEvent, at: string): FeedItem | undefined {
    if (!this.current(event)) return undefined;
    const added: FeedItem = { ...event, offset: this.end, at };
    const size = sizeOf(added);
    this.items.push(added);
    this.sizes.push(size);
    this.size += size;
    this.trim();
    return added;
  }

  /** Takes a publisher's batch; a batch already taken (the same publisher and seq, or older) is dropped. Returns the items added. */
  publish(batch: FeedBatch, at: string): number {
    const last = this.publishers.get(batch.publisher);
    if (last !== undefined && batch.seq <= last) return 0;
    this.publishers.delete(batch.publisher);
    this.publishers.set(batch.publisher, batch.seq);
    if (this.publishers.size > REMEMBERED_PUBLISHERS) {
      const oldest = this.publishers.keys().next().value;
      if (oldest !== undefined) this.publishers.delete(oldest);
    }
    let added = 0;
    for (const event of batch.events) if (this.append(event, at)) added += 1;
    return added;
  }

  /** Why `from` cannot be read, or nothing when it can. */
  problem(from: number): string | undefined {
    if (!Number.isInteger(from) || from < 0) return `the offset must be a whole number from 0, not ${from}`;
    if (from > this.end) return `offset ${from} is past the end of the feed (its next offset is ${this.end})`;
    if (from < this.first)
      return `offset ${from} is no longer kept: this run's feed keeps offsets from ${this.first} (read from there, or from its end)`;
    return undefined;
  }

  /** Items from `from` on (at most `max`), and where to read next. Check `problem(from)` first. */
  read(from: number, max = DEFAULT_PAGE): { items: FeedItem[]; next: number } {
    const begin = Math.max(0, from - this.first);
    const items = this.items.slice(begin, begin + Math.max(1, max));
    return { items, next: this.first + begin + items.length };
  }

  /** What continue-as-new carries: the newest items up to `keepBytes`, and the publishers. */
  state(keepBytes: number): FeedLogState {
    let kept = 0;
    let from = this.items.length;
    while (from > 0 && kept + (this.sizes[from - 1] ?? 0) <= keepBytes) {
      from -= 1;
      kept += this.sizes[from] ?? 0;
    }
    return {
      start: this.first + from,
      items: this.items.slice(from),
      // Only the latest: a batch is resent within seconds, by a publisher still at work when the run moves on.
      publishers: Object.fromEntries([...this.publishers].slice(-CARRIED_PUBLISHERS)),
    };
  }

  /** Whether an event still counts: a dead attempt's text that arrives after its retry began does not. */
  private current(event: FeedEvent): boolean {
    if (event.type !== 'text' && event.type !== 'call-retried' && event.type !== 'call-finished') return true;
    const call = `${event.path.join('/')}#${event.turn}`;
    if (event.type === 'call-finished') {
      // Whatever comes for it later is from an attempt that was given up on.
      this.remember(call, Number.POSITIVE_INFINITY);
      return true;
    }
    const latest = this.attempts.get(call) ?? 1;
    if (event.attempt < latest) return false;
    if (event.attempt > latest) this.remember(call, event.attempt);
    return true;
  }

  private remember(call: string, attempt: number): void {
    this.attempts.delete(call);
    this.attempts.set(call, attempt);
    if (this.attempts.size > REMEMBERED_CALLS) {
      const oldest = this.attempts.keys().next().value;
      if (oldest !== undefined) this.attempts.delete(oldest);
    }
  }

  private trim(): void {
    let drop = 0;
    let size = this.size;
    while (size > this.maxBytes && drop < this.items.length - 1) {
      size -= this.sizes[drop] ?? 0;
      drop += 1;
    }
    if (drop === 0) return;
    this.items.splice(0, drop);
    this.sizes.splice(0, drop);
    this.size = size;
    this.first += drop;
  }
}

function sizeOf(item: FeedItem): number {
  return JSON.stringify(item).length;
}

import { Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { FeedEvent } from '../protocol/feed-events.js';
import { feedPublishSignal, feedWatchedQuery, type FeedBatch, type FeedTarget } from '../protocol/feed-interface.js';

/** Batches a call sends at its batch interval; later ones come at most once a second, so a long answer adds few events. */
export const FULL_RATE_BATCHES = 50;
export const SLOW_BATCH_MS = 1_000;

/** How long the text of a call's `batch`-th batch (0, 1, ...) gathers before it is sent. */
export function batchDelay(batchMs: number, batch: number): number {
  return batch < FULL_RATE_BATCHES ? batchMs : Math.max(batchMs, SLOW_BATCH_MS);
}

/** While no one reads a call's feed, how often it asks again (a reader that attaches mid-answer waits at most this). */
export const UNREAD_RECHECK_MS = 2_000;

/** What a model call publishes to: sends one batch and resolves once the feed has it. */
export type SendBatch = (batch: FeedBatch) => Promise<void>;

/**
 * The text a model call writes, on its way to the run tree's feed: gathered for the batch interval,
 * then sent as one signal to the root run, one signal at a time so batches arrive in order. What
 * is still unsent when the call ends goes back with the activity's result instead (`finish`), so
 * an answer written within one interval costs no signal at all. Nothing is sent while no one
 * reads the feed: a call asks (a query, which writes no history) before its first batch, and
 * again every few seconds until someone does; unread, its text comes back with its result.
 */
export class FeedPublisher {
  private pending = '';
  private sentChars = 0;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending: Promise<void> = Promise.resolve();
  /** Whether someone reads the feed: unknown until the first batch is due; once true, it stays so for the call. */
  private read = false;
  private closed = false;

  constructor(
    private readonly target: FeedTarget,
    private readonly call: { turn: number; attempt: number },
    private readonly publisher: string,
    private readonly send: SendBatch,
    private readonly warn: (message: string) => void,
    /** Whether a reader is on the feed now (by query: no history). */
    private readonly watched: () => Promise<boolean> = () => Promise.resolve(true),
  ) {
    // A later attempt voids what earlier ones wrote before they died.
    if (call.attempt > 1)
      this.enqueue([{ type: 'call-retried', path: target.path, turn: call.turn, attempt: call.attempt }], 0);
  }

  /** The model wrote `delta`. */
  text(delta: string): void {
    this.pending += delta;
    this.timer ??= setTimeout(() => void this.due(), batchDelay(this.target.batchMs, this.seq));
  }

  /** A batch is due: sent if someone reads the feed; else the text keeps gathering, and the feed is asked again later. */
  private async due(): Promise<void> {
    if (!this.read) this.read = await this.watched().catch(() => true);
    if (this.closed) return;
    if (this.read) this.flush();
    else this.timer = setTimeout(() => void this.due(), UNREAD_RECHECK_MS);
  }

  /**
   * The call answered with `text` (all it wrote): stops sending, and returns what the feed does not
   * have yet, for the workflow to add when it takes the result.
   */
  async finish(text: string): Promise<{ attempt: number; text: string }> {
    this.stop();
    await this.sending;
    return { attempt: this.call.attempt, text: text.slice(this.sentChars) };
  }

  /** The call failed: what it wrote is sent (a client shows what there was), and nothing more. */
  async abandon(): Promise<void> {
    this.stop();
    this.flush();
    await this.sending;
  }

  private stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    const { path } = this.target;
    this.enqueue([{ type: 'text', path, turn: this.call.turn, attempt: this.call.attempt, text }], text.length);
  }

  private enqueue(events: FeedEvent[], chars: number): void {
    this.seq += 1;
    const batch = { publisher: this.publisher, seq: this.seq, events };
    this.sending = this.sending.then(() =>
      this.send(batch).then(
        () => void (this.sentChars += chars),
        // The feed is a view of the call: losing a batch must not fail the call that is paying for it.
        (error: unknown) => this.warn(`The run's feed did not take a batch: ${(error as Error).message}`),
      ),
    );
  }
}

/** The publisher of the current activity's model call, sending by signal with the worker's client. */
export function openFeedPublisher(target: FeedTarget, turn: number): FeedPublisher {
  const context = Context.current();
  const { info } = context;
  const handle = context.client.workflow.getHandle(target.workflowId);
  // Short, as it is in every batch's signal: the run's ids hashed, then the activity and its attempt.
  const run = `${info.workflowExecution?.workflowId}/${info.workflowExecution?.runId}`;
  const publisher = `${createHash('sha256').update(run).digest('base64url').slice(0, 10)}/${info.activityId}/${info.attempt}`;
  return new FeedPublisher(
    target,
    { turn, attempt: info.attempt },
    publisher,
    (batch) => handle.signal(feedPublishSignal, batch),
    (message) => {
      context.log.warn(message);
    },
    () => handle.query(feedWatchedQuery),
  );
}

/** What is left of a call's text for the workflow to add to the feed, by the attempt that wrote it. */
export interface FeedTail {
  attempt: number;
  text: string;
}

/**
 * Runs a model call's activity with what the model writes streamed to the run's feed (when the run
 * streams: `target` set). `body` gets the callback to hand the model call, and returns the result
 * and the whole text the model wrote; the result comes back with the text the feed does not have yet.
 */
export async function withFeed<R extends { feedTail?: FeedTail }>(
  target: FeedTarget | undefined,
  turn: number | undefined,
  body: (onText: ((delta: string) => void) | undefined) => Promise<{ result: R; text: string }>,
): Promise<R> {
  if (!target) return (await body(undefined)).result;
  const publisher = openFeedPublisher(target, turn ?? 1);
  let done: { result: R; text: string };
  try {
    done = await body((delta) => publisher.text(delta));
  } catch (error) {
    await publisher.abandon();
    throw error;
  }
  const feedTail = await publisher.finish(done.text);
  return feedTail.text ? { ...done.result, feedTail } : done.result;
}

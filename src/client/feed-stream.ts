import { WorkflowUpdateFailedError, type WorkflowClient } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { endsFeed, type FeedItem } from '../protocol/feed-events.js';
import { feedEndQuery, feedPollUpdate, feedReadQuery, type FeedPage } from '../protocol/feed-interface.js';
import { ClientError } from './errors.js';
import { messages } from './error-messages.js';

/** Options of {@link RunHandle.stream}. */
export interface StreamOptions {
  /**
   * The offset to read from: 0 (the default) for the whole feed; the offset after the last item
   * you have, to resume after a disconnect; 'now' for what happens from now on only.
   */
  from?: number | 'now';
  /** Stops the stream (the iterator then ends without an error). */
  signal?: AbortSignal;
}

/** How long to wait before asking again when a run is between two links of a continue-as-new chain. */
const BETWEEN_RUNS_MS = 100;
/** How many times in a row a poll may fail while the run is still running before the error is the caller's. */
const TRIES_WHILE_RUNNING = 50;

/**
 * The run tree's feed, item by item, from an offset, until the run ends. It reads the root run's
 * feed by long-poll update (so it follows continue-as-new: the next poll goes to the chain's
 * newest run), and a run that has closed by query. Resuming from the offset after the last item
 * seen loses nothing and repeats nothing.
 */
export async function* streamFeed(
  client: WorkflowClient,
  workflowId: string,
  options: StreamOptions = {},
): AsyncGenerator<FeedItem> {
  const { signal } = options;
  let from = options.from === 'now' ? await feedEnd(client, workflowId) : (options.from ?? 0);
  let failures = 0;
  while (!signal?.aborted) {
    let page: FeedPage;
    try {
      page = await poll(client, workflowId, from, signal);
      failures = 0;
    } catch (error) {
      if (signal?.aborted) return;
      const state = await stateOf(client, workflowId, error);
      if (state === 'running' && failures < TRIES_WHILE_RUNNING) {
        failures += 1;
        await sleep(BETWEEN_RUNS_MS);
        continue;
      }
      if (state !== 'closed') throw feedError(workflowId, error);
      yield* readClosed(client, workflowId, from);
      return;
    }
    for (const item of page.items) {
      yield item;
      if (endsFeed(item)) return;
    }
    from = page.next;
    if (page.ended) return;
  }
}

/** The offset the run's next item will have. */
export async function feedEnd(client: WorkflowClient, workflowId: string): Promise<number> {
  try {
    // A query answers without waiting for anything new (an update would wait).
    return await client.getHandle(workflowId).query(feedEndQuery);
  } catch (error) {
    throw feedError(workflowId, error);
  }
}

async function poll(client: WorkflowClient, workflowId: string, from: number, signal?: AbortSignal): Promise<FeedPage> {
  const handle = client.getHandle(workflowId);
  const update = handle.executeUpdate(feedPollUpdate, { args: [{ from }] });
  if (!signal) return update;
  let stop: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    stop = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', stop, { once: true });
  });
  // One listener per poll, removed when the poll settles: a long stream polls thousands of times.
  return Promise.race([update, aborted]).finally(() => {
    if (stop) signal.removeEventListener('abort', stop);
  });
}

/** A run that has closed: the rest of its feed, read by query (a worker replays it to answer). */
async function* readClosed(client: WorkflowClient, workflowId: string, from: number): AsyncGenerator<FeedItem> {
  const handle = client.getHandle(workflowId);
  for (;;) {
    let page: FeedPage;
    try {
      page = await handle.query(feedReadQuery, { from });
    } catch (error) {
      throw feedError(workflowId, error, 'closed');
    }
    for (const item of page.items) {
      yield item;
      if (endsFeed(item)) return;
    }
    if (page.items.length === 0 || page.next === from) return;
    from = page.next;
  }
}

/** Whether a failed poll means the run went on (continue-as-new), closed, or is not there. */
async function stateOf(
  client: WorkflowClient,
  workflowId: string,
  error: unknown,
): Promise<'running' | 'closed' | 'other'> {
  if (refusal(error)) return 'other';
  try {
    const description = await client.getHandle(workflowId).describe();
    return description.status.name === 'RUNNING' ? 'running' : 'closed';
  } catch {
    return 'other';
  }
}

/** The run's own refusal of the read (a bad offset, no feed), as opposed to a run that moved on. */
function refusal(error: unknown): ApplicationFailure | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  return error.cause instanceof ApplicationFailure ? error.cause : undefined;
}

/** A clear error for a feed that cannot be read, naming the problem and what to do. */
function feedError(workflowId: string, error: unknown, state?: 'closed'): ClientError {
  if (error instanceof ClientError) return error;
  const refused = refusal(error);
  if (refused?.type === 'FeedOffset') return new ClientError('FEED_OFFSET', `Run "${workflowId}": ${refused.message}.`);
  const text = messages(error);
  // A closed run refuses a bad offset through its query, whose error carries only the message.
  const offset = /offset \S+ (is past the end of the feed|is no longer kept).*|the offset must be .*/.exec(text);
  if (offset) return new ClientError('FEED_OFFSET', `Run "${workflowId}": ${offset[0]}.`, { cause: error });
  if (error instanceof WorkflowNotFoundError || /not found/i.test(text))
    return new ClientError(
      'UNKNOWN_RUN',
      `There is no run "${workflowId}" in this namespace: check the id (troupe list shows recent runs).`,
      { cause: error },
    );
  if (/handler|unknown (update|query)|did not register/i.test(text))
    return new ClientError(
      'NO_FEED',
      `Run "${workflowId}" has no live feed: it is a sub-team's run (its events are in its root run's feed), not a Troupe run, or its worker runs a Troupe from before live feeds. Follow its steps with \`troupe status ${workflowId}\` (or RunHandle.follow()).`,
      { cause: error },
    );
  if (state === 'closed')
    return new ClientError(
      'FEED_UNREADABLE',
      `Run "${workflowId}" has closed, and its feed is read from a worker that replays it: start a worker on the run's task queue (troupe worker), then read again. (${text})`,
      { cause: error },
    );
  return new ClientError('FEED_UNREADABLE', `The feed of run "${workflowId}" could not be read: ${text}`, {
    cause: error,
  });
}

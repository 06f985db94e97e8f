import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FeedEvent, FeedItem } from './feed-events.js';

/**
 * How a run's feed is published to and read, on Temporal's own primitives: a signal to publish
 * (fire and forget, batched), an update to read (a long poll: it returns once there is something
 * past `from`), a query to read a run that has closed. Free of zod: workflow code imports it.
 */

/** A batch of events from one publisher (an attempt of a model call, or a sub-team's run). */
export interface FeedBatch {
  /** Who published it; with `seq`, the root run drops a batch it already has (a resent signal). */
  publisher: string;
  /** 1, 2, ... per publisher. */
  seq: number;
  events: FeedEvent[];
}

/** Where to read from: the offset of the first item wanted. */
export interface FeedRead {
  from: number;
  /** The most items to return at once (default 1,000). */
  max?: number;
}

/** What a read returns. */
export interface FeedPage {
  items: FeedItem[];
  /** The offset to read from next. */
  next: number;
  /** The offset the feed's next item will have (past `next` when a page was cut at `max`). */
  end: number;
  /** The run has ended (finished or failed): nothing will follow `next`. */
  ended: boolean;
  /** The run is continuing as new: read on from `next` in the next run of the chain. */
  continuing: boolean;
}

/** Where an activity publishes what a model call writes. */
export interface FeedTarget {
  /** The root run's workflow id: the feed of the whole run tree lives there. */
  workflowId: string;
  /** The calling agent's member path from the root. */
  path: string[];
  /** How long deltas gather before they are sent as one signal. */
  batchMs: number;
}

/** Publishes a batch of events into a root run's feed (activities and sub-team runs send it). */
export const feedPublishSignal = defineSignal<[FeedBatch]>('troupe.feed.publish');
/** Reads a root run's feed from an offset, waiting until there is an item past it (a long poll). */
export const feedPollUpdate = defineUpdate<FeedPage, [FeedRead]>('troupe.feed.poll');
/** Whether a reader is on a root run's feed (a poll waits, or one came in the last seconds): model calls stream only then. */
export const feedWatchedQuery = defineQuery<boolean>('troupe.feed.watched');
/** The offset a root run's feed will give its next item: where a reader of what comes next starts. */
export const feedEndQuery = defineQuery<number>('troupe.feed.end');
/** Reads a root run's feed from an offset without waiting: for a run that has closed, or to learn its end. */
export const feedReadQuery = defineQuery<FeedPage, [FeedRead]>('troupe.feed.read');

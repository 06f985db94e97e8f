import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { FeedEvent } from '../../../protocol/feed-events.js';
import {
  feedEndQuery,
  feedPollUpdate,
  feedWatchedQuery,
  feedPublishSignal,
  feedReadQuery,
  type FeedPage,
  type FeedRead,
  type FeedTarget,
} from '../../../protocol/feed-interface.js';
import type { FeedSpec, RunSpec } from '../../../protocol/run-spec.js';
import { workflowNow } from '../clock.js';
import { FeedLog, type FeedLogState } from './feed-log.js';

/** A reader that polled this recently is still reading (it is between two polls). */
const READ_RECENTLY_MS = 10_000;
/** Bytes of feed a run keeps in memory; a reader further behind than this is told where the feed now starts. */
const MAX_BYTES = 4_000_000;
/** Bytes of feed after which a looping run continues as new at its next round, unless the team sets its own (limits.feedBytes). */
const CONTINUE_AT_BYTES = 1_000_000;
/** Bytes of the newest items carried across continue-as-new (at most a quarter of the limit), so a reader a little behind reads on. */
const CARRIED_BYTES = 256_000;

/**
 * The run's side of the feed. The root run holds the log and answers readers (a long-poll update,
 * and a query once it has closed); a sub-team's run sends what happens in it to its root, by
 * signal, a batch per workflow task. Model calls publish their text straight to the root from
 * their activity (see `target`). Emitting never waits and issues no command in the root.
 */
export class Feed {
  private readonly log: FeedLog | undefined;
  /** A sub-team's run: the root run's workflow id. */
  private readonly root: string | undefined;
  private readonly prefix: string[];
  private waiting = 0;
  /** When a reader last polled (workflow time): between two polls a reader is still on the feed. */
  private lastRead = Number.NEGATIVE_INFINITY;
  private closing: 'ended' | 'continuing' | undefined;
  private outbox: FeedEvent[] = [];
  private sent = 0;
  private sending: Promise<void> | undefined;

  constructor(private readonly run: RunSpec) {
    this.root = run.feed?.root;
    this.prefix = run.feed?.path ?? [];
    if (this.root !== undefined) return;
    const feedLog = new FeedLog(run.carry?.feed, MAX_BYTES);
    this.log = feedLog;
    setHandler(feedPublishSignal, (batch) => void feedLog.publish(batch, now()));
    setHandler(feedPollUpdate, (read) => this.poll(feedLog, read), {
      validator: (read: FeedRead) => {
        const problem = feedLog.problem(read.from);
        if (problem) throw ApplicationFailure.nonRetryable(problem, 'FeedOffset');
      },
    });
    setHandler(feedReadQuery, (read) => this.page(feedLog, read));
    setHandler(feedEndQuery, () => feedLog.end);
    setHandler(feedWatchedQuery, () => this.waiting > 0 || workflowNow() - this.lastRead < READ_RECENTLY_MS);
  }

  /** Where a member's model calls publish what they write; nothing when the run does not stream. */
  target(member: string): FeedTarget | undefined {
    const feed = this.run.feed;
    if (!feed) return undefined;
    return {
      workflowId: this.root ?? workflowInfo().workflowId,
      path: [...this.prefix, member],
      batchMs: feed.batchMs,
    };
  }

  /** Adds an event about this run (path `[]`) or one of its members, at once in the root, by the next signal in a sub-team. */
  emit(event: FeedEvent): void {
    const placed = this.prefix.length ? { ...event, path: [...this.prefix, ...event.path] } : event;
    if (this.log) {
      this.log.append(placed, now());
      return;
    }
    if (this.root === undefined || !this.run.feed) return;
    this.outbox.push(placed);
    // Everything emitted in this workflow task goes in one signal.
    this.sending ??= Promise.resolve().then(() => this.send());
  }

  /** The feed spec of a sub-team's run started by this one as member `member`. */
  forSubteam(member: string): FeedSpec | undefined {
    const feed = this.run.feed;
    if (!feed || this.run.subteams[member]?.stream?.enabled === false) return undefined;
    return { batchMs: feed.batchMs, root: this.root ?? workflowInfo().workflowId, path: [...this.prefix, member] };
  }

  /** Whether the feed held in memory is big enough to continue as new. */
  get heavy(): boolean {
    return (this.log?.bytes ?? 0) > this.continueAt;
  }

  private get continueAt(): number {
    return this.run.team.limits.feedBytes ?? CONTINUE_AT_BYTES;
  }

  /**
   * The run ends: readers waiting get the last items; a sub-team's last events reach the root first.
   * Not async: with no reader waiting and nothing to send (every run recorded before the feed) the
   * run ends in the same step as before.
   */
  end(last: FeedEvent): Promise<void> | undefined {
    this.emit(last);
    this.closing = 'ended';
    return this.sending || this.waiting > 0 ? this.drain() : undefined;
  }

  /**
   * Before continue-as-new: readers waiting return (they read on in the next run), and what
   * continues is carried. Not async when no reader waits and nothing is being sent.
   */
  continuing(): FeedLogState | undefined | Promise<FeedLogState | undefined> {
    this.closing = 'continuing';
    const carried = () => this.log?.state(Math.min(CARRIED_BYTES, Math.floor(this.continueAt / 4)));
    return this.sending || this.waiting > 0 ? this.drain().then(carried) : carried();
  }

  private async drain(): Promise<void> {
    while (this.sending) await this.sending;
    if (this.waiting > 0) await condition(allHandlersFinished);
  }

  private async poll(feedLog: FeedLog, read: FeedRead): Promise<FeedPage> {
    this.waiting += 1;
    this.lastRead = workflowNow();
    try {
      await condition(() => feedLog.end > read.from || this.closing !== undefined);
    } finally {
      this.waiting -= 1;
    }
    return this.page(feedLog, read);
  }

  private page(feedLog: FeedLog, read: FeedRead): FeedPage {
    // Checked again: the oldest items may have been dropped while the reader waited.
    const problem = feedLog.problem(read.from);
    if (problem) throw ApplicationFailure.nonRetryable(problem, 'FeedOffset');
    const { items, next } = feedLog.read(read.from, read.max);
    const atEnd = next >= feedLog.end;
    return {
      items,
      next,
      end: feedLog.end,
      ended: atEnd && this.closing === 'ended',
      continuing: atEnd && this.closing === 'continuing',
    };
  }

  private async send(): Promise<void> {
    const root = this.root as string;
    while (this.outbox.length) {
      const events = this.outbox;
      this.outbox = [];
      this.sent += 1;
      const { workflowId, runId } = workflowInfo();
      try {
        await getExternalWorkflowHandle(root).signal(feedPublishSignal, {
          publisher: `${workflowId}/${runId}`,
          seq: this.sent,
          events,
        });
      } catch (error) {
        // The root has closed (or is gone): there is no one left to read these.
        log.warn(`The feed of run ${root} could not take ${events.length} event(s): ${(error as Error).message}`);
      }
    }
    this.sending = undefined;
  }
}

function now(): string {
  return new Date(workflowNow()).toISOString();
}

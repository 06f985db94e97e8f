// A hand-written live feed on bare Temporal, the protocol Troupe's follows (and @temporalio/workflow-streams):
// the activity publishes batches of text by signal, readers long-poll an update, a closed run answers a query.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** What a read returns: the texts from the offset asked, where to read on, and whether the run has ended. */
export interface BarePage {
  items: string[];
  next: number;
  ended: boolean;
}

export const bareFeedPublish = defineSignal<[string]>('bare.feed.publish');
export const bareFeedPoll = defineUpdate<BarePage, [number]>('bare.feed.poll');
export const bareFeedRead = defineQuery<BarePage, [number]>('bare.feed.read');

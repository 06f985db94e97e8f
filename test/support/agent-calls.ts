import type { WorkflowHandle } from '@temporalio/client';
import type { RecordedRequest } from '../../src/activities/index.js';

/** One activity of a run as its history tells it: the agent, the queue, the attempt that ended it. */
export interface HistoryCall {
  activity: string;
  agent: string;
  taskQueue: string;
  /** The attempt that completed (1 unless an attempt failed or timed out first). */
  attempt: number;
  /** The worker that completed it (`pid@host` unless set otherwise). */
  identity: string;
  completedAt: number;
}

/** The completed activities of a run, read from its event history. */
export async function completedCalls(handle: WorkflowHandle): Promise<HistoryCall[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  return events.flatMap((event) => {
    const completed = event.activityTaskCompletedEventAttributes;
    if (!completed) return [];
    const scheduled = byId.get(Number(completed.scheduledEventId))?.activityTaskScheduledEventAttributes;
    const started = byId.get(Number(completed.startedEventId))?.activityTaskStartedEventAttributes;
    const payload = scheduled?.input?.payloads?.[0]?.data;
    const input = payload
      ? (JSON.parse(Buffer.from(payload).toString('utf8')) as { agent?: string | { name: string } })
      : {};
    return [
      {
        activity: scheduled?.activityType?.name ?? '',
        agent: typeof input.agent === 'string' ? input.agent : (input.agent?.name ?? ''),
        taskQueue: scheduled?.taskQueue?.name ?? '',
        attempt: started?.attempt ?? 0,
        identity: completed.identity ?? '',
        completedAt: Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6),
      },
    ];
  });
}

/** The requests that reached the Messages API double(s) for one agent of one run. */
export function requestsFor(requests: readonly RecordedRequest[], run: string, agent: string): RecordedRequest[] {
  return requests.filter((r) => r.run === run && r.agent === agent);
}

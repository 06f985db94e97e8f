import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { summarise } from '../../protocol/text.js';

type History = temporal.api.history.v1.IHistory;

/** What a gate asks a decision on, whole: who produced it and the content (a tool call's `{ tool, input }`, an agent's output). */
export interface GateSubject {
  from: string;
  content: unknown;
}

/**
 * Finds in a run's (decoded) history the whole of what its waiting gate asks about. The run's
 * progress carries only a one-line summary, `<from>: <content, cut short>`, and the content is a
 * value the history holds whole: a tool call a model turn asked for, or an agent's or sub-team's
 * output. The latest value whose summary is the gate's wins. Undefined when none matches (a budget
 * gate's content is the run's own figures, in no event).
 */
export function findGateSubject(history: History, subject: string): GateSubject | undefined {
  const events = history.events ?? [];
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i];
    const payload =
      event?.activityTaskCompletedEventAttributes?.result?.payloads?.[0] ??
      event?.childWorkflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
    const result = decode(payload);
    if (typeof result !== 'object' || result === null) continue;
    const { toolUses, output } = result as { toolUses?: unknown; output?: unknown };
    const candidates: unknown[] = [];
    if (Array.isArray(toolUses)) {
      for (const use of toolUses as { name?: unknown; input?: unknown }[])
        candidates.push({ tool: use.name, input: use.input });
    }
    if ('output' in result) candidates.push(output);
    for (const content of candidates) {
      const from = fromOf(subject, content);
      if (from !== undefined) return { from, content };
    }
  }
  return undefined;
}

/** The `<from>` part of `subject` when its rest is `content`'s summary (cut at any length, as the workflow cuts it). */
function fromOf(subject: string, content: unknown): string | undefined {
  const whole = summarise(content, Number.POSITIVE_INFINITY);
  for (let at = subject.indexOf(': '); at >= 0; at = subject.indexOf(': ', at + 1)) {
    const summary = subject.slice(at + 2);
    const cut =
      summary.endsWith('…') &&
      summary.length > 1 &&
      whole.length >= summary.length &&
      whole.startsWith(summary.slice(0, -1));
    if (summary === whole || cut) return subject.slice(0, at);
  }
  return undefined;
}

function decode(payload: Payload | null | undefined): unknown {
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(payload);
  } catch {
    return undefined;
  }
}

import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation } from '@temporalio/workflow';
import type { ToolOutcome, ToolUse } from '../../../activities/index.js';
import { FailureType } from '../../../team/errors.js';
import { summarise } from '../prompt.js';

/** A result the model is told is an error: it can take another way. */
export function errorOutcome(use: ToolUse, message: string): ToolOutcome {
  return {
    toolUseId: use.id,
    isError: true,
    content: message,
    bytes: message.length,
    preview: summarise(message, 120),
  };
}

/**
 * A tool call that failed after its retries becomes an error result for the model. A worker that
 * does not know the tool is a setup problem, not the model's, and a cancellation is not a failure:
 * both are rethrown.
 */
export function failedCall(error: unknown, use: ToolUse, what: string): ToolOutcome {
  if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
  if (error.cause instanceof ApplicationFailure && error.cause.type === FailureType.UnknownAgent) throw error;
  return errorOutcome(use, `${what} failed after its retries: ${whyItFailed(error)}`);
}

/** What made a call fail, for the model: a timeout has no message of its own, so it is named. */
function whyItFailed(error: ActivityFailure): string {
  const cause = error.cause;
  if (cause instanceof TimeoutFailure)
    return `it timed out (${(cause.timeoutType ?? 'timeout').toLowerCase().replace(/_/g, '-')}${cause.cause?.message ? `: ${cause.cause.message}` : ''})`;
  return cause?.message || error.message;
}

import { ApplicationFailure, TemporalFailure, WorkflowFailedError } from '@temporalio/client';

/** Why a run failed, as {@link describeFailure} reads it. */
export interface RunFailure {
  /** The stable failure type (e.g. ModelBadRequest, InvalidStructuredOutput), when there is one. */
  type: string | undefined;
  /** The root cause's message. */
  message: string;
}

/** The root cause of a failed run: the innermost ApplicationFailure, whose `type` says what went wrong. */
export function describeFailure(error: unknown): RunFailure {
  let cause: unknown = error instanceof WorkflowFailedError ? error.cause : error;
  let application: ApplicationFailure | undefined;
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure) application = cause;
    if (!(cause instanceof TemporalFailure) || cause.cause === undefined) break;
    cause = cause.cause;
  }
  if (application) return { type: application.type ?? undefined, message: application.message };
  return { type: undefined, message: error instanceof Error ? error.message : String(error) };
}

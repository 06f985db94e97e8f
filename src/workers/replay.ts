import { readFileSync } from 'node:fs';
import { ReplayError, Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { WorkerError } from './errors.js';
import { WORKFLOWS_PATH } from './create-worker.js';
import { payloadDataConverter } from '../codec/index.js';

const EXPORT_HINT =
  "Export a run's history with `temporal workflow show -w <id> -o json > run.json` (or download it from the Temporal UI).";

/** What replaying one recorded history against the current workflow code found. */
export interface ReplayOutcome {
  /** The history file. */
  file: string;
  /** The workflow id it was replayed as. */
  workflowId: string;
  /** Whether the current code takes the path the recorded run took. */
  ok: boolean;
  /** Why replay failed: the current code would not take the path this recorded run took. */
  problem?: string;
}

/**
 * Replays a recorded history (`temporal workflow show -o json`, or the Temporal UI's download)
 * against the current workflow code. A run in flight with that history would break after a deploy
 * exactly when this fails.
 */
export async function replayHistoryFile(
  file: string,
  options: { workflowBundle?: WorkflowBundle; workflowId?: string } = {},
): Promise<ReplayOutcome> {
  let history: unknown;
  try {
    history = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new WorkerError(
      'HISTORY_NOT_READ',
      `Cannot read the history "${file}": ${(error as Error).message}. ${EXPORT_HINT}`,
    );
  }
  // The SDK would fail on these with a bare TypeError.
  const events = (history as { events?: unknown } | null)?.events;
  if (!Array.isArray(events) || events.some((event) => typeof event !== 'object' || event === null)) {
    throw new WorkerError(
      'NOT_A_HISTORY',
      `"${file}" is not a workflow history (it has no "events" list of objects). ${EXPORT_HINT}`,
    );
  }
  if (events.length === 0)
    throw new WorkerError(
      'EMPTY_HISTORY',
      `The history "${file}" has no events, so there is nothing to replay. ${EXPORT_HINT}`,
    );
  // Without a start event Temporal's core panics and the replay never settles.
  if (
    typeof (events[0] as { workflowExecutionStartedEventAttributes?: unknown })
      .workflowExecutionStartedEventAttributes !== 'object'
  ) {
    throw new WorkerError(
      'NOT_A_HISTORY',
      `"${file}" is not a whole workflow history: its first event is not WorkflowExecutionStarted. ${EXPORT_HINT}`,
    );
  }
  // A history does not name its own workflow; sub-team ids derive from it, so default to the file's name.
  const workflowId = options.workflowId ?? file.replace(/^.*\//, '').replace(/\.json$/, '');
  try {
    // An encrypted history replays with the same keys (TROUPE_PAYLOAD_KEY, TROUPE_PAYLOAD_OLD_KEYS) the run was made with.
    const code = options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH };
    await Worker.runReplayHistory({ ...code, dataConverter: payloadDataConverter() }, history, workflowId);
    return { file, workflowId, ok: true };
  } catch (error) {
    if (error instanceof DeterminismViolationError || error instanceof ReplayError)
      return { file, workflowId, ok: false, problem: error.message };
    throw error;
  }
}

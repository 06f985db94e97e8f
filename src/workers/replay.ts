import { readFileSync } from 'node:fs';
import { ReplayError, Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { TroupeError } from '../team/errors.js';
import { WORKFLOWS_PATH } from './create-worker.js';

export interface ReplayOutcome {
  file: string;
  workflowId: string;
  ok: boolean;
  /** Why replay failed: the current code would not take the path this recorded run took. */
  problem?: string;
}

/**
 * Replays a recorded history (`temporal workflow show -o json`, or the Temporal UI's download)
 * against the current workflow code. A run in flight with that history would break after a deploy
 * exactly when this fails.
 */
export async function replayHistoryFile(file: string, options: { workflowBundle?: WorkflowBundle; workflowId?: string } = {}): Promise<ReplayOutcome> {
  let history: unknown;
  try {
    history = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TroupeError('HISTORY_NOT_READ', `Cannot read the history "${file}": ${(error as Error).message}. Export one with \`temporal workflow show -w <id> -o json > run.json\`.`);
  }
  // A history does not name its own workflow; sub-team ids derive from it, so default to the file's name.
  const workflowId = options.workflowId ?? file.replace(/^.*\//, '').replace(/\.json$/, '');
  try {
    await Worker.runReplayHistory(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }, history, workflowId);
    return { file, workflowId, ok: true };
  } catch (error) {
    if (error instanceof DeterminismViolationError || error instanceof ReplayError) return { file, workflowId, ok: false, problem: error.message };
    throw error;
  }
}

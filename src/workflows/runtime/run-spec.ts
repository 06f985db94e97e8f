import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType, TeamSpecError } from '../../team/index.js';
import { RunSpecSchema, type RunSpec } from '../../protocol/index.js';

/** Clients validate before starting; a run started by hand (e.g. `temporal workflow start`) is checked here. */
export function parseRunSpec(input: unknown): RunSpec {
  const parsed = RunSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(new TeamSpecError('The run spec', parsed.error.issues).message, FailureType.InvalidTeamSpec);
  }
  return parsed.data;
}

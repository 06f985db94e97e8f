import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType, TeamSpecError } from '../../team/errors.js';
import { RunSpecSchema, type RunSpec } from '../../protocol/run-spec.js';

/** Clients validate before starting and mark the spec checked; a run started by hand (e.g. `temporal workflow start`) is checked here. */
export function parseRunSpec(input: unknown): RunSpec {
  if (typeof input === 'object' && input !== null && (input as { checked?: unknown }).checked === true) return input as RunSpec;
  const parsed = RunSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(new TeamSpecError('The run spec', parsed.error.issues).message, FailureType.InvalidTeamSpec);
  }
  return parsed.data;
}

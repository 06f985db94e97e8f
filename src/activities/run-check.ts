import { ApplicationFailure } from '@temporalio/common';
import { VerdictSchema, type TeamRegistry, type Verdict } from '../team/index.js';
import { FailureType } from '../team/errors.js';

export interface CheckInput {
  team: string;
  check: string;
  output: unknown;
  input: unknown;
}

/** Runs a team's code gate. Its verdict is validated like any agent's output. */
export function createRunCheck({ teams }: { teams: TeamRegistry }) {
  return async function runCheck({ team, check, output, input }: CheckInput): Promise<Verdict> {
    const fn = teams.find(team)?.checks[check];
    if (!fn) {
      throw ApplicationFailure.nonRetryable(
        `This worker does not know check "${check}" of team "${team}": start the worker with the same teams module as the client.`,
        FailureType.UnknownAgent,
      );
    }
    return VerdictSchema.parse(await fn(output, { input }));
  };
}

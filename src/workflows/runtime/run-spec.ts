import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType, TeamSpecError } from '../../team/errors.js';
import type { RunSpec } from '../../protocol/run-spec.js';
import type { TeamSpec } from '../../team/spec.js';

/**
 * Clients validate before starting and mark the spec checked; a run started by hand (e.g.
 * `temporal workflow start`, so not isCheckedRunSpec) is checked here. The schemas are imported only then: a workflow
 * evaluates its modules afresh for every run, and building the run spec's schemas costs more
 * than the rest of a run's start.
 */
export async function parseRunSpec(input: unknown): Promise<RunSpec> {
  const { RunSpecSchema } = await import(/* webpackMode: "eager" */ '../../protocol/run-spec.js');
  const parsed = RunSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      new TeamSpecError('The run spec', parsed.error.issues).message,
      FailureType.InvalidTeamSpec,
    );
  }
  // No client made its fingerprints, so nothing says they match its agents: its calls carry whole agents.
  const { team, subteams } = parsed.data;
  return {
    ...parsed.data,
    team: unfingerprinted(team),
    subteams: Object.fromEntries(Object.entries(subteams).map(([name, sub]) => [name, unfingerprinted(sub)])),
  };
}

function unfingerprinted(team: TeamSpec): TeamSpec {
  return { ...team, agents: team.agents.map(({ fingerprint: _fingerprint, ...agent }) => agent) };
}

/**
 * Marked by buildRunSpec, and shaped like a run spec (a spec marked by hand gets the full check).
 * Asked before parseRunSpec, so a checked spec costs no promise (each costs a stack capture).
 */
export function isCheckedRunSpec(input: unknown): input is RunSpec {
  const spec = input as {
    checked?: unknown;
    team?: { topology?: { kind?: unknown }; agents?: unknown };
    subteams?: unknown;
    prices?: unknown;
  } | null;
  return (
    spec?.checked === true &&
    typeof spec.team?.topology?.kind === 'string' &&
    Array.isArray(spec.team.agents) &&
    typeof spec.subteams === 'object' &&
    typeof spec.prices === 'object'
  );
}

import { parseTeamInput, teamTree, type Team } from '../team/index.js';
import { RunSpecSchema, type RunSpec } from './run-spec.js';

/** The serialisable run spec for a team: validated input plus every sub-team's spec. */
export function buildRunSpec(team: Team, input: unknown): RunSpec {
  const subteams = Object.fromEntries(teamTree(team).slice(1).map((t) => [t.name, t.spec]));
  // Checked here, so the workflow need not check it again (see `checked` in the run spec).
  return { ...RunSpecSchema.parse({ team: team.spec, input: parseTeamInput(team, input), subteams }), checked: true };
}

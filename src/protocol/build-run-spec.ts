import { agentFingerprint } from './agent-fingerprint.js';
import { parseTeamInput, teamTree, type Team, type TeamSpec } from '../team/index.js';
import { RunSpecSchema, type RunSpec } from './run-spec.js';

/** The serialisable run spec for a team: validated input plus every sub-team's spec, each agent fingerprinted. */
export function buildRunSpec(team: Team, input: unknown): RunSpec {
  const subteams = Object.fromEntries(
    teamTree(team)
      .slice(1)
      .map((t) => [t.name, fingerprinted(t.spec)]),
  );
  // Checked here, so the workflow need not check it again (see `checked` in the run spec).
  return {
    ...RunSpecSchema.parse({ team: fingerprinted(team.spec), input: parseTeamInput(team, input), subteams }),
    checked: true,
  };
}

/** Agent calls carry the fingerprint instead of the whole spec (see agentFingerprint). */
function fingerprinted(team: TeamSpec): TeamSpec {
  return { ...team, agents: team.agents.map((agent) => ({ ...agent, fingerprint: agentFingerprint(agent) })) };
}

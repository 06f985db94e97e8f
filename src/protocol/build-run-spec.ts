import { agentFingerprint } from './agent-fingerprint.js';
import { DEFAULT_STREAM_BATCH_MS, parseTeamInput, teamTree, type Team, type TeamSpec } from '../team/index.js';
import { RunSpecSchema, type RunSpec } from './run-spec.js';

/**
 * The serialisable run spec for a team: validated input plus every sub-team's spec, each agent
 * fingerprinted, and how it streams (`stream`: the run's own batch interval, or false for none).
 */
export function buildRunSpec(team: Team, input: unknown, stream?: { batchMs?: number } | false): RunSpec {
  const streams = stream !== false && team.spec.stream?.enabled !== false;
  const batchMs = (stream || undefined)?.batchMs ?? team.spec.stream?.batchMs ?? DEFAULT_STREAM_BATCH_MS;
  const subteams = Object.fromEntries(
    teamTree(team)
      .slice(1)
      .map((t) => [t.name, fingerprinted(t.spec)]),
  );
  // Checked here, so the workflow need not check it again (see `checked` in the run spec).
  return {
    ...RunSpecSchema.parse({
      team: fingerprinted(team.spec),
      input: parseTeamInput(team, input),
      subteams,
      ...(streams ? { feed: { batchMs } } : {}),
    }),
    checked: true,
  };
}

/** Agent calls carry the fingerprint instead of the whole spec (see agentFingerprint). */
function fingerprinted(team: TeamSpec): TeamSpec {
  return { ...team, agents: team.agents.map((agent) => ({ ...agent, fingerprint: agentFingerprint(agent) })) };
}

import type { MessagesScript } from '../activities/index.js';
import { teamTree, type Team, type TeamRegistry } from '../team/index.js';
import { WorkerError } from './errors.js';

/** The agents of these teams (their sub-teams included) an offline script has no reply for, as "team/agent". */
export function unscriptedAgents(script: MessagesScript, teams: Iterable<Team>): string[] {
  const has = (key: string): boolean => (script[key]?.length ?? 0) > 0;
  const missing = new Set<string>();
  for (const team of [...teams].flatMap(teamTree)) {
    for (const agent of team.spec.agents) {
      if (!has(`${team.name}/${agent.name}`) && !has(agent.name) && !has('*'))
        missing.add(`${team.name}/${agent.name}`);
    }
  }
  return [...missing];
}

/**
 * Offline, a run of a team whose agents have no scripted reply would fail at the first such call,
 * after the earlier calls ran: refuse it before it starts, naming the agents and the fix.
 */
export function requireOfflineScript(script: MessagesScript, registry: TeamRegistry, teamName: string): void {
  const missing = unscriptedAgents(script, [registry.get(teamName)]);
  if (missing.length === 0) return;
  throw new WorkerError(
    'OFFLINE_SCRIPT_MISSING',
    `No ANTHROPIC_API_KEY is set, so agents answer from the teams module's \`offlineScript\`, which has no reply for ${listed(missing)}. ` +
      `Add replies under those keys, e.g. export const offlineScript = { '${missing[0]}': [{ text: '...' }] }, or set ANTHROPIC_API_KEY to use Claude.`,
  );
}

/** A worker serves every team: the line it prints at start when some agents have no scripted reply. */
export function offlineScriptWarning(script: MessagesScript, registry: TeamRegistry): string | undefined {
  const missing = unscriptedAgents(
    script,
    registry.names.map((name) => registry.get(name)),
  );
  if (missing.length === 0) return undefined;
  return `No scripted reply for ${listed(missing)}: their calls fail with OfflineScriptMissing (add them to offlineScript, or set ANTHROPIC_API_KEY).`;
}

function listed(agents: string[]): string {
  const shown = agents
    .slice(0, 8)
    .map((a) => `"${a}"`)
    .join(', ');
  return agents.length > 8 ? `${shown} and ${agents.length - 8} more` : shown;
}

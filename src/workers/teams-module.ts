import { pathToFileURL, fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { MessagesScript } from '../activities/index.js';
import { TeamRegistry, TroupeError, type Team } from '../team/index.js';

/** The teams a client and its workers share, and the scripted replies the offline provider answers with. */
export interface TeamsModule {
  registry: TeamRegistry;
  offlineScript: MessagesScript;
  source: string;
}

export const EXAMPLE_TEAMS = fileURLToPath(new URL('../../examples/index.ts', import.meta.url));

/** Loads a teams module: `--teams`, else TROUPE_TEAMS, else the bundled examples. */
export async function loadTeamsModule(specifier?: string, env: NodeJS.ProcessEnv = process.env): Promise<TeamsModule> {
  const source = specifier || env['TROUPE_TEAMS'] || EXAMPLE_TEAMS;
  let loaded: { teams?: unknown; offlineScript?: unknown };
  try {
    loaded = (await import(pathToFileURL(resolve(source)).href)) as typeof loaded;
  } catch (error) {
    throw new TroupeError(
      'TEAMS_MODULE_NOT_LOADED',
      `Could not load the teams module "${source}": ${(error as Error).message}. Pass a module that exports \`teams\` with --teams or TROUPE_TEAMS.`,
      { cause: error },
    );
  }
  if (!Array.isArray(loaded.teams)) {
    throw new TroupeError('TEAMS_MODULE_INVALID', `The teams module "${source}" does not export \`teams\`: export const teams = [defineTeam(...)].`);
  }
  return {
    registry: new TeamRegistry(loaded.teams as Team[]),
    offlineScript: (loaded.offlineScript ?? {}) as MessagesScript,
    source,
  };
}

import { existsSync } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { MessagesScript } from '../activities/index.js';
import { TeamRegistry, type Team } from '../team/index.js';
import { WorkerError } from './errors.js';

/** The teams a client and its workers share, and the scripted replies the offline provider answers with. */
export interface TeamsModule {
  registry: TeamRegistry;
  offlineScript: MessagesScript;
  source: string;
}

/** The example teams of a checkout of this repository (`examples/index.ts`): the teams module when none is named. */
export const EXAMPLE_TEAMS = fileURLToPath(new URL('../../examples/index.ts', import.meta.url));

/** Loads a teams module: `--teams`, else TROUPE_TEAMS, else the examples of a checkout of this repository. */
export async function loadTeamsModule(specifier?: string, env: NodeJS.ProcessEnv = process.env): Promise<TeamsModule> {
  const source = specifier || env['TROUPE_TEAMS'] || (existsSync(EXAMPLE_TEAMS) ? EXAMPLE_TEAMS : undefined);
  if (source === undefined) {
    throw new WorkerError(
      'NO_TEAMS_MODULE',
      'No teams module given: pass --teams <module> (or set TROUPE_TEAMS) naming a module that exports `teams`.',
    );
  }
  let loaded: { teams?: unknown; offlineScript?: unknown };
  try {
    if (/\.[cm]?ts$/.test(source)) await registerTypeScript();
    loaded = (await import(pathToFileURL(resolve(source)).href)) as typeof loaded;
  } catch (error) {
    throw new WorkerError(
      'TEAMS_MODULE_NOT_LOADED',
      `Could not load the teams module "${source}": ${(error as Error).message}. Pass a module that exports \`teams\` with --teams or TROUPE_TEAMS.`,
      { cause: error },
    );
  }
  if (!Array.isArray(loaded.teams)) {
    throw new WorkerError(
      'TEAMS_MODULE_INVALID',
      `The teams module "${source}" does not export \`teams\`: export const teams = [defineTeam(...)].`,
    );
  }
  // Anything else in the array would fail later, deep inside the registry, with a TypeError.
  loaded.teams.forEach((entry: unknown, index) => {
    if (!isTeam(entry)) {
      throw new WorkerError(
        'TEAMS_MODULE_INVALID',
        `teams[${index}] in the teams module "${source}" is not a team (it is ${describeValue(entry)}): define each entry with defineTeam({ name, agents, topology }) and export what it returns.`,
      );
    }
  });
  return {
    registry: new TeamRegistry(loaded.teams as Team[]),
    offlineScript: (loaded.offlineScript ?? {}) as MessagesScript,
    source,
  };
}

/** What defineTeam() returns (and what the registry and workers rely on). */
function isTeam(value: unknown): value is Team {
  if (typeof value !== 'object' || value === null) return false;
  const team = value as Partial<Record<keyof Team, unknown>>;
  return (
    typeof team.name === 'string' &&
    typeof team.spec === 'object' &&
    team.spec !== null &&
    typeof team.agent === 'function' &&
    Array.isArray(team.subteams)
  );
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (value as { name?: unknown }).name;
  return typeof name === 'string'
    ? `an object named "${name}" that defineTeam() did not make`
    : 'an object that defineTeam() did not make';
}

let typeScriptRegistered = false;

/** A .ts teams module loads through tsx, registered on first need (a dev dependency of the user's project). */
async function registerTypeScript(): Promise<void> {
  if (typeScriptRegistered || process.env['TROUPE_TSX_REGISTERED']) return;
  let tsx: { register: () => unknown };
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    throw new WorkerError(
      'TSX_MISSING',
      'A .ts teams module needs tsx to load: npm install --save-dev tsx (or compile the module to .js).',
    );
  }
  tsx.register();
  typeScriptRegistered = true;
}

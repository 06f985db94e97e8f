import type { z } from 'zod';
import { NameSchema } from './names.js';
import type { Role } from './roles.js';

/**
 * Tags on the team spec's schemas that say what its reference check (references.ts) verifies once
 * the whole team has parsed: which fields name a member of the team, and checks that read several
 * fields at once. The check walks the topology's schema and finds them, so a new topology's
 * references are checked from its schema alone. The tags are kept beside the schemas (never in zod's
 * metadata, which would show in JSON schemas): a tagged name is a schema instance of its own.
 */

/**
 * What a name in a topology refers to: `agent` one of the team's agents, `member` an agent or a
 * sub-team, `subteam` a sub-team, `check` one of the team's checks.
 */
export type NameRef =
  | {
      readonly refers: 'agent';
      /** How messages call the field: "the router", "worker {n}": each {n} is filled with the position (from 1) in the enclosing lists, outermost first. */
      readonly label: string;
      /** The part the agent plays: it must answer the role's decision. */
      readonly plays?: Role;
    }
  | { readonly refers: 'member' | 'subteam' | 'check'; readonly label: string };

const nameRefs = new WeakMap<z.core.$ZodType, NameRef>();

/** What the name `schema` holds refers to, when it is a tagged name. */
export const nameRef = (schema: z.core.$ZodType): NameRef | undefined => nameRefs.get(schema);

/** A check of a topology's part that reads more than one field, run where the walk reaches it (after that part's own names). */
export type TeamCheck = (value: never, issue: (path: (string | number)[], message: string) => void) => void;

const teamChecks = new WeakMap<z.core.$ZodType, TeamCheck>();

/** The check added to `schema` with withTeamCheck, if any. */
export const teamCheck = (schema: z.core.$ZodType): TeamCheck | undefined => teamChecks.get(schema);

function tagged(ref: NameRef) {
  const name = NameSchema.clone();
  nameRefs.set(name, ref);
  return name;
}

/** A field naming one of the team's agents; with a role, that agent must answer the role's decision. */
export const agentName = (label: string, plays?: Role) =>
  tagged(plays ? { refers: 'agent', label, plays } : { refers: 'agent', label });
/** A field naming a member of the team: an agent or a sub-team. */
export const memberName = (label: string) => tagged({ refers: 'member', label });
/** A field naming one of the team's sub-teams. */
export const subteamName = (label: string) => tagged({ refers: 'subteam', label });
/** A field naming one of the team's checks. */
export const checkName = (label: string) => tagged({ refers: 'check', label });

/** Adds a check that reads several fields of `schema`'s value, run with the team's reference checks. */
export function withTeamCheck<S extends z.ZodType>(
  schema: S,
  check: (value: z.output<S>, issue: (path: (string | number)[], message: string) => void) => void,
): S {
  teamChecks.set(schema, check);
  return schema;
}

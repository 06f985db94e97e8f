import { z } from 'zod';
import type { AgentOutputSpec } from './agent-output.js';
import { nameRef, teamCheck, type NameRef } from './reference-tags.js';
import type { Role } from './roles.js';

type Path = (string | number)[];

/** What the check reads of a team (a TeamSpec as parsed). */
export interface TeamReferences {
  readonly agents: readonly {
    readonly name: string;
    readonly fallback?: string | undefined;
    readonly delegates: readonly string[];
    readonly output: AgentOutputSpec;
  }[];
  readonly subteams: readonly string[];
  readonly checks: readonly string[];
  readonly topology: unknown;
}

/**
 * Checks that every name a team's topology uses is a member of the right kind (an agent, a
 * sub-team, a check), and that agents steering the topology return the output it reads. Which
 * fields name what is read from the topology's schema (`topologySchema`), where reference-tags.ts
 * tagged them; a topology adds no code here.
 */
export function validateReferences(team: TeamReferences, topologySchema: z.ZodType, ctx: z.RefinementCtx): void {
  const agents = new Map<string, TeamReferences['agents'][number]>();
  team.agents.forEach((agent, i) => {
    if (agents.has(agent.name))
      ctx.addIssue({ code: 'custom', path: ['agents', i, 'name'], message: `agent "${agent.name}" is defined twice` });
    agents.set(agent.name, agent);
  });
  const subteams = new Set(team.subteams);
  team.subteams.forEach((name, i) => {
    if (agents.has(name))
      ctx.addIssue({
        code: 'custom',
        path: ['subteams', i],
        message: `sub-team "${name}" has the name of an agent of this team: rename one, so each member name means one thing`,
      });
  });
  const members = [...agents.keys(), ...subteams];
  const list = (names: Iterable<string>) => [...names].join(', ') || 'none';
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });

  // A fallback is one hop: when the fallback fails too, the call fails (its own fallback is not tried).
  team.agents.forEach((a, i) => {
    if (a.fallback === a.name) issue(['agents', i, 'fallback'], 'an agent cannot be its own fallback');
    else if (a.fallback !== undefined && !agents.has(a.fallback))
      issue(
        ['agents', i, 'fallback'],
        `fallback "${a.fallback}" is not an agent of this team (agents: ${list(agents.keys())})`,
      );
    else if (a.fallback !== undefined && agents.get(a.fallback)?.fallback === a.name) {
      issue(
        ['agents', i, 'fallback'],
        `"${a.name}" and "${a.fallback}" are each other's fallback: a fallback is one hop, so give only one of them the other as fallback`,
      );
    }
  });

  team.agents.forEach((a, i) => {
    a.delegates.forEach((d, j) => {
      if (d === a.name) issue(['agents', i, 'delegates', j], 'an agent cannot delegate to itself');
      else if (!agents.has(d) && !subteams.has(d))
        issue(
          ['agents', i, 'delegates', j],
          `"${d}" is neither an agent nor a sub-team of this team (members: ${list(members)}): delegate only to members`,
        );
    });
  });

  const checkName = (ref: NameRef, name: string, path: Path) => {
    const what = label(ref.label, path);
    switch (ref.refers) {
      case 'agent': {
        const found = agents.get(name);
        if (!found)
          return issue(
            path,
            `${what} names agent "${name}", which is not in the team (agents: ${list(agents.keys())})`,
          );
        if (ref.plays && !declares(found.output, ref.plays)) {
          issue(
            path,
            `${ref.plays.part} "${name}" has no ${ref.plays.schemaName} output: give it output: ${ref.plays.schemaName} (or a zod object extending it)`,
          );
        }
        return;
      }
      case 'member':
        if (!agents.has(name) && !subteams.has(name))
          issue(
            path,
            `${what} names "${name}", which is neither an agent nor a sub-team of this team (members: ${list(members)})`,
          );
        return;
      case 'subteam':
        if (!subteams.has(name))
          issue(
            path,
            `${what} names team "${name}", which is not a sub-team of this team (sub-teams: ${list(subteams)})`,
          );
        return;
      case 'check':
        if (!team.checks.includes(name))
          issue(path, `${what} names check "${name}", which the team does not define (checks: ${list(team.checks)})`);
        return;
    }
  };
  walk(topologySchema, team.topology, ['topology'], checkName, issue);
}

/**
 * Goes through `value` along `schema`, in the order of the schema's fields: a tagged name is checked
 * where it stands, a tagged check after the names of the part it is on. Only what the value holds is
 * visited (an absent optional field, the options of a union it does not match).
 */
function walk(
  schema: z.core.$ZodType,
  value: unknown,
  path: Path,
  checkName: (ref: NameRef, name: string, path: Path) => void,
  issue: (path: Path, message: string) => void,
): void {
  if (value === undefined || value === null) return;
  const ref = nameRef(schema);
  if (ref) {
    if (typeof value === 'string') checkName(ref, value, path);
    return;
  }
  const def = schema._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nonoptional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'catch':
      walk((def as z.core.$ZodOptionalDef).innerType, value, path, checkName, issue);
      break;
    case 'pipe':
      walk((def as z.core.$ZodPipeDef).out, value, path, checkName, issue);
      break;
    case 'lazy':
      walk((def as z.core.$ZodLazyDef).getter(), value, path, checkName, issue);
      break;
    case 'array':
      if (Array.isArray(value))
        value.forEach((item, i) => walk((def as z.core.$ZodArrayDef).element, item, [...path, i], checkName, issue));
      break;
    case 'object': {
      if (typeof value !== 'object') return;
      const record = value as Record<string, unknown>;
      for (const [key, field] of Object.entries((def as z.core.$ZodObjectDef).shape)) {
        if (key in record) walk(field, record[key], [...path, key], checkName, issue);
      }
      break;
    }
    case 'union': {
      const option = matchingOption(def as z.core.$ZodUnionDef | z.core.$ZodDiscriminatedUnionDef, value);
      if (option) walk(option, value, path, checkName, issue);
      break;
    }
  }
  teamCheck(schema)?.(value as never, (at, message) => issue([...path, ...at], message));
}

/**
 * The option of a union that `value` (already parsed by the union) came from: by the discriminator
 * where the union has one, else the first object option that has every field the value has.
 */
function matchingOption(
  def: z.core.$ZodUnionDef | z.core.$ZodDiscriminatedUnionDef,
  value: unknown,
): z.core.$ZodType | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const discriminator = 'discriminator' in def ? def.discriminator : undefined;
  if (discriminator !== undefined)
    return def.options.find((option) => option._zod.propValues?.[discriminator]?.has(record[discriminator] as never));
  return def.options.find((option) => {
    const shape = option._zod.def.type === 'object' ? (option._zod.def as z.core.$ZodObjectDef).shape : undefined;
    return shape !== undefined && Object.keys(record).every((key) => key in shape);
  });
}

/** A label with each {n} filled with a position (from 1) of the path's lists, outermost first. */
function label(template: string, path: Path): string {
  const positions = path.filter((step): step is number => typeof step === 'number').map((i) => i + 1);
  let next = 0;
  return template.replace(/\{n\}/g, () => String(positions[next++] ?? '?'));
}

const readTypes = new WeakMap<Role, Record<string, unknown>>();

/** The JSON types of the fields a role reads, from its decision's schema (converted as defineAgent converts an output). */
function typesRead(role: Role): Record<string, unknown> {
  let types = readTypes.get(role);
  if (!types) {
    const properties = (z.toJSONSchema(role.schema, { reused: 'ref' }).properties ?? {}) as Record<
      string,
      { type?: unknown }
    >;
    types = Object.fromEntries(role.reads.map((field) => [field, properties[field]?.type]));
    readTypes.set(role, types);
  }
  return types;
}

function declares(output: AgentOutputSpec, role: Role): boolean {
  if (output.kind !== 'json') return false;
  const declared = output.jsonSchema['properties'] as Record<string, { type?: unknown }> | undefined;
  return Object.entries(typesRead(role)).every(([name, type]) => declared?.[name]?.type === type);
}

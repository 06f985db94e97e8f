import { z } from 'zod';
import { TeamSpecError } from './errors.js';
import {
  AgentSpecSchema,
  TeamSpecSchema,
  type AgentSpec,
  type AgentSpecInput,
  type TeamSpec,
  type TeamSpecInput,
} from './spec.js';
import type { Reminder } from './approval.js';
import type { ToolDefinition } from './tool.js';
import type { McpServerDefinition } from './mcp.js';
import type { Verdict } from './verdict.js';

/**
 * What {@link defineAgent} takes: the agent's name, role, system prompt, model and output, and optionally its
 * tools, MCP servers, input schema, timeouts, retry policy, fallback and task queue.
 */
export interface AgentConfig extends Omit<AgentSpecInput, 'output' | 'acceptsInput' | 'tools' | 'mcp' | 'fingerprint'> {
  /** Tools the agent may call (defineTool); the agent then works in a loop of model turns and tool calls, at most maxTurns. */
  tools?: ToolDefinition[];
  /** MCP servers (defineMcpServer) whose allowed tools the agent may call. */
  mcp?: McpServerDefinition[];
  /** A zod schema the agent's answer must match (sent to Claude as a structured-output format), or 'text'. */
  output: z.ZodType | 'text';
  /** A zod schema that work handed to this agent must match; a handoff that does not is refused (InvalidHandoff). */
  input?: z.ZodType;
}

/** An agent as {@link defineAgent} returns it: its validated spec, with the schemas and tools a worker needs. */
export interface AgentDefinition {
  /** The agent's validated spec, defaults filled in: what the run spec carries. */
  readonly spec: AgentSpec;
  /** The zod schema that validates this agent's output inside the agent activity; absent for text agents. */
  readonly outputSchema: z.ZodType | undefined;
  /** The zod schema that validates work handed to this agent, if it declares one. */
  readonly inputSchema: z.ZodType | undefined;
  /** The agent's tools by name: what the worker runs when the model calls one. */
  tool(name: string): ToolDefinition | undefined;
  /** The MCP servers the agent uses, with how to reach them. */
  readonly mcpServers: readonly McpServerDefinition[];
}

/** A deterministic gate: looks at a step's output and passes it or sends it back with feedback. */
export type CheckFunction = (output: unknown, context: { input: unknown }) => Verdict | Promise<Verdict>;

/**
 * What {@link defineTeam} takes: the team's name, agents, topology, and optionally its sub-teams, code checks,
 * input schema, limits, budget, release gate, task queue and reminder hook.
 */
export interface TeamConfig extends Omit<TeamSpecInput, 'agents' | 'checks' | 'subteams'> {
  /** The team's agents ({@link defineAgent}). */
  agents: AgentDefinition[];
  /** Teams that act as members of this one (a step, a worker, a route); each runs as a child workflow. */
  subteams?: Team[];
  /** Code checks by name, for pipeline gates of `kind: 'check'`. */
  checks?: Record<string, CheckFunction>;
  /** Validates the run input before a run starts. Defaults to a non-empty string. */
  input?: z.ZodType;
  /** Called (in an activity) to remind approvers before an approval's deadline; default: the worker's log. */
  notify?: (reminder: Reminder) => void | Promise<void>;
}

/** A team as {@link defineTeam} returns it: register it in a `TeamRegistry`, or export it from a teams module. */
export interface Team {
  /** The team's name: what `troupe run <team>` and `TroupeClient.start` name. */
  readonly name: string;
  /** The team's validated spec, defaults filled in: what the run spec carries. */
  readonly spec: TeamSpec;
  /** Validates a run's input before the run starts. */
  readonly inputSchema: z.ZodType;
  /** The code checks its pipeline gates name. */
  readonly checks: Readonly<Record<string, CheckFunction>>;
  /** The teams that act as its members. */
  readonly subteams: readonly Team[];
  /** Its reminder hook, run in an activity before an approval's deadline; undefined: the worker's log. */
  readonly notify: ((reminder: Reminder) => void | Promise<void>) | undefined;
  /** The agent of this team with that name, if any. */
  agent(name: string): AgentDefinition | undefined;
}

/** A team's input schema when it names none: a non-empty string (the task). */
export const DEFAULT_INPUT_SCHEMA = z.string().trim().min(1, 'give the team a non-empty task');

/**
 * Defines an agent: validates its config and turns its output schema into the JSON Schema the model is sent.
 * Throws a `TeamSpecError` naming every problem.
 */
export function defineAgent(config: AgentConfig): AgentDefinition {
  const subject = `Agent "${String(config.name)}"`;
  if ((config.output as unknown) === undefined) {
    throw new TeamSpecError(subject, ["output: missing; pass a zod schema for structured output, or output: 'text'"]);
  }
  for (const [field, schema] of [
    ['output', config.output],
    ['input', config.input],
  ] as const) {
    // A schema from another copy of zod cannot be converted or checked by this one.
    if (schema !== undefined && schema !== 'text' && !(schema instanceof z.ZodType)) {
      throw new TeamSpecError(subject, [
        `${field}: not a schema of the zod that Troupe uses; install one version of zod (a peer dependency of troupe): npm ls zod, then npm dedupe`,
      ]);
    }
  }
  const outputSchema = config.output === 'text' ? undefined : config.output;
  const output = outputSchema
    ? { kind: 'json' as const, jsonSchema: z.toJSONSchema(outputSchema, { reused: 'ref' }) as Record<string, unknown> }
    : { kind: 'text' as const };
  const { input: inputSchema, tools = [], mcp = [], ...rest } = config;
  const parsed = AgentSpecSchema.safeParse({
    ...rest,
    output,
    acceptsInput: inputSchema !== undefined,
    tools: tools.map((t) => t.spec),
    mcp: mcp.map((m) => m.spec),
  });
  if (!parsed.success) throw new TeamSpecError(subject, parsed.error.issues);
  const toolsByName = new Map(tools.map((t) => [t.spec.name, t]));
  return { spec: parsed.data, outputSchema, inputSchema, tool: (name) => toolsByName.get(name), mcpServers: mcp };
}

/**
 * Defines a team: validates its agents, topology and settings together (a topology naming an unknown agent, a
 * steering agent without its decision schema, ...). Throws a `TeamSpecError` naming every problem.
 */
export function defineTeam(config: TeamConfig): Team {
  const { agents, checks = {}, subteams = [], input = DEFAULT_INPUT_SCHEMA, notify, ...rest } = config;
  const parsed = TeamSpecSchema.safeParse({
    ...rest,
    agents: agents.map((agent) => agent.spec),
    subteams: subteams.map((team) => team.name),
    checks: Object.keys(checks),
  });
  if (!parsed.success) throw new TeamSpecError(`Team "${String(config.name)}"`, parsed.error.issues);
  const byName = new Map(agents.map((agent) => [agent.spec.name, agent]));
  return {
    name: parsed.data.name,
    spec: parsed.data,
    inputSchema: input,
    checks,
    subteams,
    notify,
    agent: (name) => byName.get(name),
  };
}

/** The team and every team below it, each once: what a run and a worker need to know. */
export function teamTree(team: Team): Team[] {
  const seen = new Map<string, Team>();
  const visit = (t: Team, path: string[]): void => {
    if (path.includes(t.name)) {
      throw new TeamSpecError(`Team "${team.name}"`, [`sub-teams form a cycle: ${[...path, t.name].join(' → ')}`]);
    }
    if (!seen.has(t.name)) seen.set(t.name, t);
    for (const sub of t.subteams) visit(sub, [...path, t.name]);
  };
  visit(team, []);
  return [...seen.values()];
}

/** Validates a run's input against the team's input schema, before anything is started. */
export function parseTeamInput(team: Team, input: unknown): unknown {
  const parsed = team.inputSchema.safeParse(input);
  if (!parsed.success) throw new TeamSpecError(`The input for team "${team.name}"`, parsed.error.issues);
  return parsed.data;
}

import { z } from 'zod';
import { TeamSpecError } from './errors.js';
import { AgentSpecSchema, TeamSpecSchema, type AgentSpec, type AgentSpecInput, type TeamSpec, type TeamSpecInput } from './spec.js';
import type { Reminder } from './approval.js';
import type { ToolDefinition } from './tool.js';
import type { McpServerDefinition } from './mcp.js';
import type { Verdict } from './verdict.js';

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

export interface AgentDefinition {
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

export interface TeamConfig extends Omit<TeamSpecInput, 'agents' | 'checks' | 'subteams'> {
  agents: AgentDefinition[];
  /** Teams that act as members of this one (a step, a worker, a route); each runs as a child workflow. */
  subteams?: Team[];
  checks?: Record<string, CheckFunction>;
  /** Validates the run input before a run starts. Defaults to a non-empty string. */
  input?: z.ZodType;
  /** Called (in an activity) to remind approvers before an approval's deadline; default: the worker's log. */
  notify?: (reminder: Reminder) => void | Promise<void>;
}

export interface Team {
  readonly name: string;
  readonly spec: TeamSpec;
  readonly inputSchema: z.ZodType;
  readonly checks: Readonly<Record<string, CheckFunction>>;
  readonly subteams: readonly Team[];
  readonly notify: ((reminder: Reminder) => void | Promise<void>) | undefined;
  agent(name: string): AgentDefinition | undefined;
}

export const DEFAULT_INPUT_SCHEMA = z.string().trim().min(1, 'give the team a non-empty task');

export function defineAgent(config: AgentConfig): AgentDefinition {
  const subject = `Agent "${String(config.name)}"`;
  if ((config.output as unknown) === undefined) {
    throw new TeamSpecError(subject, ["output: missing; pass a zod schema for structured output, or output: 'text'"]);
  }
  for (const [field, schema] of [['output', config.output], ['input', config.input]] as const) {
    // A schema from another copy of zod cannot be converted or checked by this one.
    if (schema !== undefined && schema !== 'text' && !(schema instanceof z.ZodType)) {
      throw new TeamSpecError(subject, [`${field}: not a schema of the zod that Troupe uses; install one version of zod (a peer dependency of troupe): npm ls zod, then npm dedupe`]);
    }
  }
  const outputSchema = config.output === 'text' ? undefined : config.output;
  const output = outputSchema
    ? { kind: 'json' as const, jsonSchema: z.toJSONSchema(outputSchema, { reused: 'ref' }) as Record<string, unknown> }
    : { kind: 'text' as const };
  const { input: inputSchema, tools = [], mcp = [], ...rest } = config;
  const parsed = AgentSpecSchema.safeParse({ ...rest, output, acceptsInput: inputSchema !== undefined, tools: tools.map((t) => t.spec), mcp: mcp.map((m) => m.spec) });
  if (!parsed.success) throw new TeamSpecError(subject, parsed.error.issues);
  const toolsByName = new Map(tools.map((t) => [t.spec.name, t]));
  return { spec: parsed.data, outputSchema, inputSchema, tool: (name) => toolsByName.get(name), mcpServers: mcp };
}

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

import { z } from 'zod';
import { AgentOutputSpecSchema } from './agent-output.js';
import { ApprovalSpecSchema } from './approval.js';
import { DurationSchema } from './duration.js';
import { NameSchema } from './names.js';
import { agentName, checkName, memberName, subteamName, withTeamCheck } from './reference-tags.js';
import { validateReferences } from './references.js';
import { RetrySpecSchema } from './retry.js';
import { ToolSpecSchema } from './tool.js';
import { McpServerSpecSchema, mcpToolName, mcpToolNames } from './mcp.js';
import { BudgetSpecSchema } from './budget.js';
import { ROLES } from './roles.js';
import { TaskQueueNameSchema } from './task-queue.js';

export { AgentOutputSpecSchema, RetrySpecSchema };

/**
 * The serialisable team spec: what defineAgent/defineTeam produce (they hold the zod output schemas
 * the spec cannot) and what a run carries to its workflow. Validated before anything starts.
 * A topology's fields that name members are tagged (agentName, memberName ...: reference-tags.ts),
 * and references.ts checks them against the team once it has parsed.
 */

/** Models an agent can pick by default: a strong one for reasoning, a small one for routing and checks. */
export const MODELS = { strong: 'claude-sonnet-5-5', fast: 'claude-haiku-5-5' } as const;

export { NameSchema };

/** A server tool the API runs for the agent; `maxUses` caps its uses per model call. */
export const ServerToolSpecSchema = z
  .object({
    kind: z.enum(['web_search', 'web_fetch', 'code_execution']),
    maxUses: z.number().int().positive().optional(),
  })
  .strict();
/** A server tool as the spec holds it. */
export type ServerToolSpec = z.infer<typeof ServerToolSpecSchema>;

/** One agent of a team, as defineAgent produces it and a run carries it: model, prompt, output, timeouts, retries, tools. */
export const AgentSpecSchema = z
  .object({
    name: NameSchema,
    role: z.string().min(1, 'give the agent a role, e.g. "researcher"'),
    system: z.string().min(1, 'give the agent a system prompt'),
    model: z.string().min(1).default(MODELS.strong),
    maxTokens: z.number().int().positive().default(2_048),
    output: AgentOutputSpecSchema,
    /** Start-to-close timeout of one attempt; the model client's own timeout sits just below it. */
    timeout: DurationSchema.default(120_000),
    /** How long a silent attempt may go before Temporal treats its worker as lost. */
    heartbeatTimeout: DurationSchema.default(30_000),
    /**
     * How long one agent call may take across all its attempts and the waits between them
     * (schedule-to-close). Default: 10 minutes, or three attempts' timeouts if that is longer.
     */
    totalTimeout: DurationSchema.optional(),
    retry: RetrySpecSchema.default({ initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 60_000 }),
    /** How many times an invalid structured output is sent back to the model to be repaired. */
    maxRepairs: z.number().int().min(0).max(5).default(2),
    /** An agent of the same team that takes over when this one fails after all its retries. One hop: the fallback's own fallback is not tried. */
    fallback: NameSchema.optional(),
    /** An optional step (a critic, a validator): when it fails for good it is skipped and the result is flagged degraded. */
    optional: z.boolean().optional(),
    /** The model this agent switches to once the run has spent its budget's `lowAt` share. */
    cheaperModel: z.string().min(1).optional(),
    /** The agent declares an input schema: work handed to it is validated against it before the model is called. */
    acceptsInput: z.boolean().default(false),
    /** Tools the agent may call; with any, the agent is a loop of model turns and tool calls. */
    tools: z.array(ToolSpecSchema).default([]),
    /** MCP servers whose allowed tools the agent may call (the worker connects to them). */
    mcp: z.array(McpServerSpecSchema).default([]),
    /** Anthropic's server tools, run by the API itself within the model call: web search, web fetch, code execution. */
    serverTools: z.array(ServerToolSpecSchema).default([]),
    /**
     * Members of the team (agents or sub-teams) this agent may hand sub-tasks to through tool calls
     * (`delegate_<name>`), e.g. a lead that fans work out to workers and gathers their answers.
     */
    delegates: z.array(NameSchema).default([]),
    /** The most model turns one call of a tool-using agent may take before it fails with MaxTurnsExceeded. */
    maxTurns: z.number().int().min(1, 'maxTurns must be at least 1: one model turn').max(1_000).default(10),
    /**
     * The task queue this agent's model calls and tool calls are scheduled on, so its own pool of
     * workers serves them (e.g. "heavy" for a large model); default: the team's, else the run's.
     */
    taskQueue: TaskQueueNameSchema.optional(),
    /** Set by the client in the run spec it starts (see agentFingerprint), not by definitions. */
    fingerprint: z.string().optional(),
  })
  .strict()
  .refine((agent) => agent.totalTimeout === undefined || agent.totalTimeout >= agent.timeout, {
    path: ['totalTimeout'],
    message: 'must be at least the timeout of one attempt: raise totalTimeout or lower timeout',
  })
  .superRefine((agent, ctx) => {
    const seen = new Set<string>();
    agent.tools.forEach((tool, i) => {
      if (seen.has(tool.name))
        ctx.addIssue({
          code: 'custom',
          path: ['tools', i, 'name'],
          message: `two tools are named "${tool.name}": give each tool of an agent its own name`,
        });
      seen.add(tool.name);
    });
    agent.mcp.forEach((server, i) =>
      mcpToolNames(server).forEach((tool, j) => {
        const name = mcpToolName(server, tool);
        if (seen.has(name))
          ctx.addIssue({
            code: 'custom',
            path: ['mcp', i, 'tools', j],
            message: `two tools are named "${name}" (MCP server "${server.name}" has one too): give the server a prefix (prefix: '${server.name.replace(/-/g, '_')}' → "${server.name.replace(/-/g, '_')}_${tool}"), or keep one of them`,
          });
        seen.add(name);
      }),
    );
  });

/** What checks a pipeline step's work before it is handed on: an agent answering a VerdictSchema, or a named check; rejected work is revised up to `maxRevisions` times. */
export const GateSpecSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('agent'),
      agent: agentName('the gate of step {n}', ROLES.gate),
      maxRevisions: z.number().int().min(0).max(20).default(2),
      onExhausted: z.enum(['continue', 'fail']).default('continue'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('check'),
      check: checkName('the gate of step {n}'),
      maxRevisions: z.number().int().min(0).max(20).default(2),
      onExhausted: z.enum(['continue', 'fail']).default('continue'),
    })
    .strict(),
]);

const StepOptions = {
  /** What this step is asked to do with what it receives; defaults to the member's role. */
  instruction: z.string().min(1).optional(),
  gate: GateSpecSchema.optional(),
  /** A person approves the step's work before it is handed on. */
  approval: ApprovalSpecSchema.optional(),
};

/** Fan-out/fan-in: several members work at once; their outputs are merged in a stable order. */
export const ParallelSpecSchema = withTeamCheck(
  z
    .object({
      members: z
        .array(memberName('step {n}, parallel member {n}'))
        .min(2, 'a parallel step needs at least two members'),
      /** sections: each member does its part and the outputs are merged; vote: all do the same task and the majority answer wins. */
      mode: z.enum(['sections', 'vote']).default('sections'),
      /** One instruction per member, for sections; defaults to each member's role. */
      instructions: z.array(z.string().min(1)).optional(),
    })
    .strict(),
  ({ members, instructions }, issue) => {
    if (instructions && instructions.length !== members.length)
      issue(['instructions'], `give one instruction per parallel member (${members.length}), or none`);
  },
);

/** One step of a pipeline: an agent, a sub-team, or several members in parallel, with an optional gate and approval. */
export const PipelineStepSpecSchema = z.union([
  z.object({ agent: agentName('step {n}'), ...StepOptions }).strict(),
  z.object({ team: subteamName('step {n}'), ...StepOptions }).strict(),
  z.object({ parallel: ParallelSpecSchema, ...StepOptions }).strict(),
]);

/** A pipeline: steps run in order, each handed the previous step's output. */
export const PipelineSpecSchema = z
  .object({
    kind: z.literal('pipeline'),
    steps: z.array(PipelineStepSpecSchema).min(1, 'a pipeline needs at least one step'),
  })
  .strict();

const Rounds = (fallback: number) => z.number().int().positive().max(10_000).default(fallback);

/** A supervisor that assigns sub-tasks to workers round by round until it answers. */
export const SupervisorSpecSchema = z
  .object({
    kind: z.literal('supervisor'),
    supervisor: agentName('the supervisor', ROLES.supervisor),
    /** Agents or sub-teams the supervisor may assign work to. */
    workers: z.array(memberName('worker {n}')).min(1, 'a supervisor needs at least one worker'),
    maxRounds: Rounds(5),
  })
  .strict();

/** A router that sends the input to one of its routes. */
export const RouterSpecSchema = z
  .object({
    kind: z.literal('router'),
    router: agentName('the router', ROLES.router),
    routes: z.array(memberName('route {n}')).min(2, 'a router needs at least two routes'),
  })
  .strict();

/** Debaters argue for some rounds; a judge or a vote decides. */
export const DebateSpecSchema = z
  .object({
    kind: z.literal('debate'),
    debaters: z.array(agentName('debater {n}', ROLES.debater)).min(2, 'a debate needs at least two debaters'),
    rounds: Rounds(3),
    /** A judge agent decides, or the debaters' final positions are counted (majority vote). */
    decide: z.discriminatedUnion('by', [
      z.object({ by: z.literal('judge'), agent: agentName('the judge', ROLES.judge) }).strict(),
      z.object({ by: z.literal('vote') }).strict(),
    ]),
    /** End early when every debater holds the same position. */
    stopOnConsensus: z.boolean().default(true),
  })
  .strict();

/** A swarm: agents work in parallel rounds on a shared blackboard of open tasks, no coordinator; weight left on promising tasks evaporates each round. */
export const SwarmSpecSchema = z
  .object({
    kind: z.literal('swarm'),
    agents: z.array(agentName('swarm agent {n}', ROLES.swarmAgent)).min(1, 'a swarm needs at least one agent'),
    rounds: Rounds(10),
    /** Share of every task's weight that evaporates each round. */
    evaporation: z.number().min(0).max(1).default(0.2),
    /** Weight an agent deposits on each task it marks promising. */
    deposit: z.number().positive().default(1),
    /** How many open tasks, heaviest first, each agent is shown. */
    visibleTasks: z.number().int().positive().default(5),
  })
  .strict();

/** Peers hand control to one another until one answers; `entry` starts. */
export const HandoffSpecSchema = withTeamCheck(
  z
    .object({
      kind: z.literal('handoff'),
      agents: z
        .array(agentName('handoff agent {n}', ROLES.handoffAgent))
        .min(2, 'a handoff swarm needs at least two agents'),
      entry: NameSchema,
      maxHandoffs: Rounds(10),
    })
    .strict(),
  ({ agents, entry }, issue) => {
    if (!agents.includes(entry))
      issue(['entry'], `entry "${entry}" is not one of the handoff agents (${agents.join(', ') || 'none'})`);
  },
);

/** Every topology a team can have, by `kind`. */
export const TopologySpecSchema = z.discriminatedUnion('kind', [
  PipelineSpecSchema,
  SupervisorSpecSchema,
  RouterSpecSchema,
  DebateSpecSchema,
  SwarmSpecSchema,
  HandoffSpecSchema,
]);

/** Limits that hold across retries, crashes and continue-as-new; reaching one ends the run with a flagged partial result. */
export const LimitsSpecSchema = z
  .object({
    maxAgentCalls: z.number().int().positive().optional(),
    /** Input plus output tokens, cache reads and writes included, across the run and its sub-teams. */
    maxTokens: z.number().int().positive().optional(),
    /** Continue-as-new once the history has this many events (or earlier, when Temporal suggests it). */
    historyEvents: z.number().int().min(100).max(40_000).default(10_000),
    /** Continue-as-new once the run's live feed holds this many bytes (default 1 MB; see docs/streaming.md). */
    feedBytes: z.number().int().min(10_000).max(4_000_000).optional(),
  })
  .strict();

/** The interval a model call's text gathers for before it is sent to the run's feed, unless the team or run sets one. */
export const DEFAULT_STREAM_BATCH_MS = 250;

/** How a team streams what its agents write into the run's live feed (see docs/streaming.md). */
export const StreamSpecSchema = z
  .object({
    /** False: the team's agents answer in one piece, and its runs' feeds carry only their steps. */
    enabled: z.boolean().default(true),
    /** How long a model call's text gathers before it is sent as one batch (10 ms to 60 s). */
    batchMs: z.number().int().min(10).max(60_000).default(DEFAULT_STREAM_BATCH_MS),
  })
  .strict();

/** A whole team: its agents, sub-teams, topology, checks, budget and limits; every name its topology uses is checked against it. */
export const TeamSpecSchema = z
  .object({
    name: NameSchema,
    description: z.string().default(''),
    agents: z.array(AgentSpecSchema).min(1, 'a team needs at least one agent'),
    /** Names of teams that act as members of this one; each runs as a child workflow. */
    subteams: z.array(NameSchema).default([]),
    topology: TopologySpecSchema,
    checks: z.array(NameSchema).default([]),
    /** Tokens, USD, time and calls the whole run (sub-teams included) may spend; see BudgetSpecSchema. */
    budget: BudgetSpecSchema.optional(),
    limits: LimitsSpecSchema.default({ historyEvents: 10_000 }),
    /** A person approves the team's final answer before the run releases it, whatever the topology. */
    release: ApprovalSpecSchema.optional(),
    /** The task queue of this team's agents that name none (see AgentSpec.taskQueue); sub-teams keep their own. */
    taskQueue: TaskQueueNameSchema.optional(),
    /** Live streaming of its agents' text into the run's feed; on, every 250 ms, unless set. */
    stream: StreamSpecSchema.optional(),
  })
  .strict()
  .superRefine((team, ctx) => validateReferences(team, TopologySpecSchema, ctx));

/** An agent as a run carries it (defaults filled). */
export type AgentSpec = z.infer<typeof AgentSpecSchema>;
/** An agent as it may be written (defaults optional). */
export type AgentSpecInput = z.input<typeof AgentSpecSchema>;
/** A step's gate. */
export type GateSpec = z.infer<typeof GateSpecSchema>;
/** A pipeline step. */
export type PipelineStepSpec = z.infer<typeof PipelineStepSpecSchema>;
/** A parallel step's members and mode. */
export type ParallelSpec = z.infer<typeof ParallelSpecSchema>;
/** A supervisor topology. */
export type SupervisorSpec = z.infer<typeof SupervisorSpecSchema>;
/** A router topology. */
export type RouterSpec = z.infer<typeof RouterSpecSchema>;
/** A debate topology. */
export type DebateSpec = z.infer<typeof DebateSpecSchema>;
/** A swarm topology. */
export type SwarmSpec = z.infer<typeof SwarmSpecSchema>;
/** A handoff topology. */
export type HandoffSpec = z.infer<typeof HandoffSpecSchema>;
/** How a team streams. */
export type StreamSpec = z.infer<typeof StreamSpecSchema>;
/** A team's limits. */
export type LimitsSpec = z.infer<typeof LimitsSpecSchema>;
/** A pipeline topology. */
export type PipelineSpec = z.infer<typeof PipelineSpecSchema>;
/** Any topology. */
export type TopologySpec = z.infer<typeof TopologySpecSchema>;
/** A team as a run carries it (defaults filled, references checked). */
export type TeamSpec = z.infer<typeof TeamSpecSchema>;
/** A team as it may be written (defaults optional). */
export type TeamSpecInput = z.input<typeof TeamSpecSchema>;

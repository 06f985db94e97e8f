import { z } from 'zod';
import { DurationSchema } from './duration.js';

/**
 * The serialisable run spec: what a topology workflow receives and what Temporal records in its
 * history. Built from defineAgent/defineTeam (which hold the zod output schemas) and validated with
 * these schemas before anything starts, and again when a workflow begins.
 */

/** Models an agent can pick by default: a strong one for reasoning, a small one for routing and checks. */
export const MODELS = { strong: 'claude-sonnet-5-5', fast: 'claude-haiku-5-5' } as const;

export const NameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/i, 'use letters, digits, "-" or "_", starting with a letter (at most 63 characters)');

export const RetrySpecSchema = z
  .object({
    maximumAttempts: z.number().int().positive().default(5),
    initialInterval: DurationSchema.default(1_000),
    backoffCoefficient: z.number().min(1).default(2),
    maximumInterval: DurationSchema.default(60_000),
  })
  .strict();

export const AgentOutputSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text') }).strict(),
  z.object({ kind: z.literal('json'), jsonSchema: z.record(z.string(), z.unknown()) }).strict(),
]);

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
    retry: RetrySpecSchema.default({
      maximumAttempts: 5,
      initialInterval: 1_000,
      backoffCoefficient: 2,
      maximumInterval: 60_000,
    }),
    /** How many times an invalid structured output is sent back to the model to be repaired. */
    maxRepairs: z.number().int().min(0).max(5).default(2),
    /** An agent of the same team that takes over when this one fails after all its retries. */
    fallback: NameSchema.optional(),
  })
  .strict();

export const GateSpecSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('agent'),
      agent: NameSchema,
      maxRevisions: z.number().int().min(0).max(20).default(2),
      onExhausted: z.enum(['continue', 'fail']).default('continue'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('check'),
      check: NameSchema,
      maxRevisions: z.number().int().min(0).max(20).default(2),
      onExhausted: z.enum(['continue', 'fail']).default('continue'),
    })
    .strict(),
]);

export const PipelineStepSpecSchema = z
  .object({
    agent: NameSchema,
    /** What this step is asked to do with what it receives; defaults to the agent's role. */
    instruction: z.string().min(1).optional(),
    gate: GateSpecSchema.optional(),
  })
  .strict();

export const PipelineSpecSchema = z
  .object({
    kind: z.literal('pipeline'),
    steps: z.array(PipelineStepSpecSchema).min(1, 'a pipeline needs at least one step'),
  })
  .strict();

export const TopologySpecSchema = z.discriminatedUnion('kind', [PipelineSpecSchema]);

export const TeamSpecSchema = z
  .object({
    name: NameSchema,
    description: z.string().default(''),
    agents: z.array(AgentSpecSchema).min(1, 'a team needs at least one agent'),
    topology: TopologySpecSchema,
    checks: z.array(NameSchema).default([]),
  })
  .strict()
  .superRefine((team, ctx) => {
    const agentNames = new Set<string>();
    team.agents.forEach((agent, i) => {
      if (agentNames.has(agent.name)) {
        ctx.addIssue({ code: 'custom', path: ['agents', i, 'name'], message: `agent "${agent.name}" is defined twice` });
      }
      agentNames.add(agent.name);
    });
    const known = [...agentNames].join(', ');
    const byName = new Map(team.agents.map((agent) => [agent.name, agent]));
    team.agents.forEach((agent, i) => {
      if (agent.fallback !== undefined && !agentNames.has(agent.fallback)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', i, 'fallback'],
          message: `fallback "${agent.fallback}" is not an agent of this team (agents: ${known})`,
        });
      }
      if (agent.fallback === agent.name) {
        ctx.addIssue({ code: 'custom', path: ['agents', i, 'fallback'], message: 'an agent cannot be its own fallback' });
      }
    });
    team.topology.steps.forEach((step, i) => {
      if (!agentNames.has(step.agent)) {
        ctx.addIssue({
          code: 'custom',
          path: ['topology', 'steps', i, 'agent'],
          message: `step ${i + 1} names agent "${step.agent}", which is not in the team (agents: ${known})`,
        });
      }
      const gate = step.gate;
      if (gate?.kind === 'agent') {
        const gateAgent = byName.get(gate.agent);
        if (!gateAgent) {
          ctx.addIssue({
            code: 'custom',
            path: ['topology', 'steps', i, 'gate', 'agent'],
            message: `the gate of step ${i + 1} names agent "${gate.agent}", which is not in the team (agents: ${known})`,
          });
        } else if (!returnsVerdict(gateAgent.output)) {
          ctx.addIssue({
            code: 'custom',
            path: ['topology', 'steps', i, 'gate', 'agent'],
            message: `gate agent "${gate.agent}" has no verdict schema: give it output: VerdictSchema (or a zod object with approved: boolean and feedback: string)`,
          });
        }
      }
      if (gate?.kind === 'check' && !team.checks.includes(gate.check)) {
        ctx.addIssue({
          code: 'custom',
          path: ['topology', 'steps', i, 'gate', 'check'],
          message: `the gate of step ${i + 1} names check "${gate.check}", which the team does not define (checks: ${team.checks.join(', ') || 'none'})`,
        });
      }
    });
  });

export const RunSpecSchema = z
  .object({
    team: TeamSpecSchema,
    input: z.unknown(),
  })
  .strict();

export type AgentSpec = z.infer<typeof AgentSpecSchema>;
export type AgentSpecInput = z.input<typeof AgentSpecSchema>;
export type GateSpec = z.infer<typeof GateSpecSchema>;
export type PipelineStepSpec = z.infer<typeof PipelineStepSpecSchema>;
export type PipelineSpec = z.infer<typeof PipelineSpecSchema>;
export type TopologySpec = z.infer<typeof TopologySpecSchema>;
export type TeamSpec = z.infer<typeof TeamSpecSchema>;
export type TeamSpecInput = z.input<typeof TeamSpecSchema>;
export type RunSpec = z.infer<typeof RunSpecSchema>;

function returnsVerdict(output: z.infer<typeof AgentOutputSpecSchema>): boolean {
  if (output.kind !== 'json') return false;
  const properties = output.jsonSchema['properties'] as Record<string, { type?: unknown }> | undefined;
  return properties?.['approved']?.type === 'boolean' && properties['feedback']?.type === 'string';
}

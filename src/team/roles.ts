import type { z } from 'zod';
import {
  ArgumentSchema,
  HandoffSchema,
  JudgmentSchema,
  RouteSchema,
  SupervisorDecisionSchema,
  SwarmMoveSchema,
} from './decisions.js';
import { VerdictSchema } from './verdict.js';

/**
 * A part an agent plays in a topology (the supervisor, a debater, a gate ...): the decision it
 * answers, and which fields of that decision the topology reads. An agent named for a part must
 * declare those fields, with the decision's types, in its output; the check derives the types from
 * the schema itself (see references.ts), so a part names fields, never copies them.
 */
export interface Role {
  /** How messages call the part: 'supervisor', 'swarm agent'. */
  readonly part: string;
  /** The name the decision's schema is exported by, so a message can say what output to give. */
  readonly schemaName: string;
  readonly schema: z.ZodObject;
  /** The fields the topology reads (the rest, e.g. a router's `reason`, are for people). */
  readonly reads: readonly string[];
}

export function role<S extends z.ZodObject>(
  part: string,
  schemaName: string,
  schema: S,
  reads: readonly (keyof S['shape'] & string)[],
): Role {
  return { part, schemaName, schema, reads };
}

/** The parts of the built-in topologies; a topology's spec schema names them on its fields (see reference-tags.ts). */
export const ROLES = {
  gate: role('gate', 'VerdictSchema', VerdictSchema, ['approved', 'feedback']),
  supervisor: role('supervisor', 'SupervisorDecisionSchema', SupervisorDecisionSchema, [
    'done',
    'answer',
    'assignments',
  ]),
  router: role('router', 'RouteSchema', RouteSchema, ['route']),
  debater: role('debater', 'ArgumentSchema', ArgumentSchema, ['position', 'argument']),
  judge: role('judge', 'JudgmentSchema', JudgmentSchema, ['decision']),
  swarmAgent: role('swarm agent', 'SwarmMoveSchema', SwarmMoveSchema, [
    'claim',
    'result',
    'complete',
    'newTasks',
    'promising',
  ]),
  handoffAgent: role('handoff agent', 'HandoffSchema', HandoffSchema, ['handoffTo', 'answer']),
} as const satisfies Record<string, Role>;

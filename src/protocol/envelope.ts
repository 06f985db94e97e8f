import { z } from 'zod';
import { UsageSchema } from './usage-schema.js';

/**
 * Every handoff between agents is an envelope. The transcript of envelopes is the run's
 * readable record of who handed what to whom; Temporal's history holds the same facts durably.
 */
export const EnvelopeSchema = z.object({
  seq: z.number().int().nonnegative(),
  from: z.string(),
  to: z.string(),
  kind: z.enum([
    'task',
    'output',
    'verdict',
    'decision',
    'assignment',
    'route',
    'argument',
    'judgment',
    'move',
    'handoff',
    'approval',
    'tool',
    'result',
  ]),
  content: z.unknown(),
  usage: UsageSchema.optional(),
  model: z.string().optional(),
  /** How many times the receiving step has been sent back for revision before this envelope. */
  revision: z.number().int().nonnegative().optional(),
  /** The round of a looping topology (supervisor, debate, swarm, handoff) the envelope belongs to. */
  round: z.number().int().positive().optional(),
  /** Set when the sender is a sub-team: the child workflow whose history holds its own handoffs. */
  childWorkflowId: z.string().optional(),
  at: z.string(),
});

/** One handoff between agents ({@link EnvelopeSchema}). */
export type Envelope = z.infer<typeof EnvelopeSchema>;

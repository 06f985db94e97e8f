import { z } from 'zod';
import { AwaitingApprovalSchema } from './awaiting-approval.js';
import { EnvelopeSchema } from './envelope.js';
import { UsageSchema } from './usage-schema.js';

/** What a run's progress query answers (see progressQuery in run-interface.ts). */
export const RunProgressSchema = z.object({
  team: z.string(),
  topology: z.string(),
  /** One line on what the run is doing now, also shown as the workflow's current details in the UI. */
  activity: z.string(),
  /** The topology's shared state: the swarm's blackboard, the debate's positions, the supervisor's round ... */
  state: z.unknown(),
  /** The latest envelopes (a long run keeps only the most recent ones in memory). */
  envelopes: z.array(EnvelopeSchema),
  /** Envelopes recorded across the whole run, continue-as-new included. */
  envelopeCount: z.number().int().nonnegative(),
  usage: UsageSchema,
  agentCalls: z.number().int().nonnegative(),
  /** Estimated cost in USD so far; absent without a price for every model used. */
  costUsd: z.number().nonnegative().optional(),
  continuedAsNew: z.number().int().nonnegative(),
  /** The approval the run is waiting for, if any. */
  awaiting: AwaitingApprovalSchema.nullable(),
});

/** A run's progress. */
export type RunProgress = z.infer<typeof RunProgressSchema>;

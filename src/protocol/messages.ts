import { z } from 'zod';
import { EnvelopeSchema } from './envelope.js';
import { UsageSchema } from './usage-schema.js';

/** The shapes a run answers with, as zod schemas (the types are inferred); the names it answers to are in run-interface.ts. */

export const AwaitingApprovalSchema = z.object({
  gate: z.string(),
  approvers: z.array(z.string()),
  /** ISO time after which the gate's expiry policy applies. */
  deadline: z.string(),
  /** True once the first deadline passed and the gate went to its escalation approvers. */
  escalated: z.boolean(),
  /** What is being approved: who produced it and a short summary. */
  subject: z.string(),
});

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

/** What the `decide` update answers when it accepts a decision. */
export const DecisionReceiptSchema = z.object({ gate: z.string(), accepted: z.literal(true), decision: z.string(), by: z.string() });

/** Why a run stopped before its topology finished: the result is partial. */
export const StopReasonSchema = z.enum(['maxAgentCalls', 'maxTokens', 'maxRounds', 'maxCostUsd', 'maxTime']);

/** What a reader of a result must know: a budget ran out (the output is partial), an optional step was skipped. */
export const ResultFlagSchema = z.enum(['budget-exhausted', 'degraded']);

/** An optional step that failed for good and was skipped. */
export const DegradedStepSchema = z.object({ member: z.string(), reason: z.string() });

export const RunResultSchema = z.object({
  team: z.string(),
  output: z.unknown(),
  /** True when a limit ended the run early; `stoppedBy` says which. */
  partial: z.boolean(),
  stoppedBy: StopReasonSchema.optional(),
  usage: UsageSchema,
  agentCalls: z.number().int().nonnegative(),
  /** Estimated cost in USD from the prices given (TROUPE_PRICES); absent without a price for every model used. */
  costUsd: z.number().nonnegative().optional(),
  /** The latest envelopes; `envelopeCount` counts all of them. */
  transcript: z.array(EnvelopeSchema),
  envelopeCount: z.number().int().nonnegative(),
  state: z.unknown(),
  continuedAsNew: z.number().int().nonnegative(),
  /** Things a reader should know about the result, e.g. a gate that never approved. */
  warnings: z.array(z.string()),
  /** Set when a budget ran out or an optional step was skipped; absent on a clean result. */
  flags: z.array(ResultFlagSchema).optional(),
  degraded: z.array(DegradedStepSchema).optional(),
});

export type AwaitingApproval = z.infer<typeof AwaitingApprovalSchema>;
export type RunProgress = z.infer<typeof RunProgressSchema>;
export type DecisionReceipt = z.infer<typeof DecisionReceiptSchema>;
export type StopReason = z.infer<typeof StopReasonSchema>;
export type RunResult = z.infer<typeof RunResultSchema>;
export type ResultFlag = z.infer<typeof ResultFlagSchema>;
export type DegradedStep = z.infer<typeof DegradedStepSchema>;

/** What a run's REFUSED_DECISION_MEMO holds (see run-interface.ts). */
export const RefusedDecisionMemoSchema = z.object({ signal: z.number().int().positive(), refused: z.string() });
export type RefusedDecisionMemo = z.infer<typeof RefusedDecisionMemoSchema>;

/** What a run's NOTICE_MEMO holds (see run-interface.ts). */
export const NoticeMemoSchema = z.object({ kind: z.enum(['degraded', 'budget-low', 'budget-exhausted', 'budget-raised']), detail: z.string() });
export type NoticeMemo = z.infer<typeof NoticeMemoSchema>;

export * from './run-interface.js';

import { z } from 'zod';
import { EnvelopeSchema } from './envelope.js';
import { UsageSchema } from './usage-schema.js';

/** The shapes a run answers with, as zod schemas (the types are inferred); the names it answers to are in run-interface.ts. */

export { AwaitingApprovalSchema, type AwaitingApproval } from './awaiting-approval.js';
export { RunProgressSchema, type RunProgress } from './run-progress.js';
export { DecisionReceiptSchema, type DecisionReceipt } from './decision-receipt.js';

/** Why a run stopped before its topology finished: the result is partial. */
export const StopReasonSchema = z.enum(['maxAgentCalls', 'maxTokens', 'maxRounds', 'maxCostUsd', 'maxTime']);

/** What a reader of a result must know: a budget ran out (the output is partial), an optional step was skipped. */
export const ResultFlagSchema = z.enum(['budget-exhausted', 'degraded']);

/** An optional step that failed for good and was skipped. */
export const DegradedStepSchema = z.object({ member: z.string(), reason: z.string() });

/** What a run returns when its topology finishes (or a limit ends it: `partial`). */
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

/** Which limit ended a run early. */
export type StopReason = z.infer<typeof StopReasonSchema>;
/** A run's result. */
export type RunResult = z.infer<typeof RunResultSchema>;
/** A flag on a result. */
export type ResultFlag = z.infer<typeof ResultFlagSchema>;
/** A skipped optional step. */
export type DegradedStep = z.infer<typeof DegradedStepSchema>;

/** What a run's REFUSED_DECISION_MEMO holds (see run-interface.ts). */
export const RefusedDecisionMemoSchema = z.object({ signal: z.number().int().positive(), refused: z.string() });
/** A decision signal the run refused. */
export type RefusedDecisionMemo = z.infer<typeof RefusedDecisionMemoSchema>;

/** What a run's NOTICE_MEMO holds (see run-interface.ts). */
export const NoticeMemoSchema = z.object({
  kind: z.enum(['degraded', 'budget-low', 'budget-exhausted', 'budget-raised']),
  detail: z.string(),
});
/** A notice the run left in its history. */
export type NoticeMemo = z.infer<typeof NoticeMemoSchema>;

export * from './run-interface.js';

import { z } from 'zod';

/**
 * The run tree's live feed: everything its members do, in one offset-addressed stream held by the
 * root run. Every item names the member it is about by its path from the root (`['research',
 * 'writer']` is agent `writer` of sub-team member `research`; `[]` is the root run itself) and its
 * offset in the feed (0, 1, ...; offsets go on across continue-as-new).
 */

const item = {
  /** Its place in the feed: read on from `offset + 1` to miss nothing and repeat nothing. */
  offset: z.number().int().nonnegative(),
  /** When the root run took it in (workflow time, ISO). */
  at: z.string(),
  /** The member it is about, from the root: sub-team members, then the agent. */
  path: z.array(z.string()),
};

/** What an agent's model call is identified by: its member path and the agent's turn in the run (1, 2, ...). */
const call = { turn: z.number().int().positive() };

/** Text the model wrote, as it wrote it. Concatenate the deltas of one call's attempt in offset order. */
export const TextDeltaSchema = z.object({
  type: z.literal('text'),
  ...item,
  ...call,
  /** The activity attempt that wrote it: text of an attempt a `call-retried` gave up on is void. */
  attempt: z.number().int().positive(),
  text: z.string(),
});

/** A model call began (before its first token). */
export const CallStartedSchema = z.object({ type: z.literal('call-started'), ...item, ...call, model: z.string() });

/** An attempt of a call died and attempt `attempt` took over: drop the text earlier attempts of this call wrote. */
export const CallRetriedSchema = z.object({
  type: z.literal('call-retried'),
  ...item,
  ...call,
  attempt: z.number().int().positive(),
});

/** A model call ended: every text delta of it is in the feed before this. */
export const CallFinishedSchema = z.object({
  type: z.literal('call-finished'),
  ...item,
  ...call,
  /** The API's stop reason (`end_turn`, `tool_use`, `max_tokens` ...); `refused` when the answer was refused (a repair follows), `failed` or `cancelled`. */
  stopReason: z.string().nullable(),
  outputTokens: z.number().int().nonnegative().optional(),
});

/** An agent's tool call started, with the input the model gave it. */
export const ToolStartedSchema = z.object({
  type: z.literal('tool-started'),
  ...item,
  tool: z.string(),
  /** The model's tool-use id: `tool-finished` names it too. */
  id: z.string(),
  input: z.unknown(),
});

/** An agent's tool call finished (or was refused). */
export const ToolFinishedSchema = z.object({
  type: z.literal('tool-finished'),
  ...item,
  tool: z.string(),
  id: z.string(),
  isError: z.boolean(),
  /** The start of what the tool gave back. */
  summary: z.string(),
});

/** Work handed from one member to another (a task, an output, a verdict, a route ...), as the transcript records it. */
export const HandoffSchema = z.object({
  type: z.literal('handoff'),
  ...item,
  from: z.string(),
  to: z.string(),
  kind: z.string(),
  /** The start of what was handed over; the run's transcript and history hold it whole. */
  summary: z.string(),
  round: z.number().int().positive().optional(),
});

/** The run waits for a person's decision. */
export const ApprovalWaitingSchema = z.object({
  type: z.literal('approval-waiting'),
  ...item,
  /** The run that waits: decide on this workflow id (a sub-team's gate is its own run's). */
  workflowId: z.string(),
  gate: z.string(),
  approvers: z.array(z.string()),
  deadline: z.string(),
  escalated: z.boolean(),
  subject: z.string(),
});

/** A person decided (or the gate's expiry did). */
export const ApprovalDecidedSchema = z.object({
  type: z.literal('approval-decided'),
  ...item,
  gate: z.string(),
  decision: z.string(),
  by: z.string(),
  comment: z.string().optional(),
});

/** The run's budget ran low (cheaper models from now on), ran out, or was raised by a person. */
export const BudgetEventSchema = z.object({
  type: z.literal('budget'),
  ...item,
  kind: z.enum(['low', 'exhausted', 'raised']),
  detail: z.string(),
});

/** An optional member failed for good and was skipped. */
export const MemberSkippedSchema = z.object({ type: z.literal('member-skipped'), ...item, reason: z.string() });

/** The run (the root, or a sub-team's at its path) finished: the feed ends here for the root. */
export const RunFinishedSchema = z.object({
  type: z.literal('run-finished'),
  ...item,
  partial: z.boolean(),
  stoppedBy: z.string().optional(),
});

/** The run (the root, or a sub-team's at its path) failed: the feed ends here for the root. */
export const RunFailedSchema = z.object({ type: z.literal('run-failed'), ...item, message: z.string() });

/** One item of a run's feed. */
export const FeedItemSchema = z.discriminatedUnion('type', [
  TextDeltaSchema,
  CallStartedSchema,
  CallRetriedSchema,
  CallFinishedSchema,
  ToolStartedSchema,
  ToolFinishedSchema,
  HandoffSchema,
  ApprovalWaitingSchema,
  ApprovalDecidedSchema,
  BudgetEventSchema,
  MemberSkippedSchema,
  RunFinishedSchema,
  RunFailedSchema,
]);

/** One item of a run's feed ({@link FeedItemSchema}). */
export type FeedItem = z.infer<typeof FeedItemSchema>;

/** An item as its member publishes it: the root run gives it its offset and time. */
export type FeedEvent = FeedItem extends infer I ? (I extends FeedItem ? Omit<I, 'offset' | 'at'> : never) : never;

/** Whether the item ends the feed (the root run finished or failed). */
export function endsFeed(item: FeedItem): boolean {
  return (item.type === 'run-finished' || item.type === 'run-failed') && item.path.length === 0;
}

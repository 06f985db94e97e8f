import { z } from 'zod';
import { BudgetSpecSchema } from '../team/budget.js';
import { TeamSpecSchema } from '../team/spec.js';
import { EnvelopeSchema } from './envelope.js';
import { FeedItemSchema } from './feed-events.js';
import { UsageSchema } from './usage-schema.js';

/**
 * The run spec: what a topology workflow receives and what Temporal records in its history. The
 * client builds and validates it from a team and its input (buildRunSpec) and marks it `checked`;
 * the workflow validates only a spec that is not (one started by hand, or recorded before the mark).
 */

/** USD per million tokens for one model, to estimate what a run cost. */
export const ModelPriceSchema = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cacheRead: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  })
  .strict();

/** Prices by model name; a run's cost is estimated only when every model it used has a price. */
export const PricesSchema = z.record(z.string(), ModelPriceSchema);

/** What the continue-as-new of a long run carries into the next run of the chain. */
export const CarrySchema = z
  .object({
    /** The topology's own state (round, board, positions ...). */
    state: z.unknown(),
    usage: UsageSchema,
    agentCalls: z.number().int().nonnegative(),
    /** Estimated cost so far in USD; absent once a model without a price was used. */
    costUsd: z.number().nonnegative().optional(),
    /** Envelopes recorded so far across the chain; only the latest are carried. */
    envelopeCount: z.number().int().nonnegative(),
    recentEnvelopes: z.array(EnvelopeSchema),
    warnings: z.array(z.string()),
    continuedAsNew: z.number().int().nonnegative(),
    /** Changes a person asked for on the team's answer (its release gate): the pass in progress redoes the work with them. */
    release: z.object({ changes: z.number().int().positive(), comment: z.string() }).strict().optional(),
    /** The run's budget as it stands (raised by a person, perhaps) and when the chain started, for its time cap. */
    budget: z
      .object({
        startedAt: z.number(),
        current: BudgetSpecSchema.optional(),
        /** Calls a failed sub-team may have made: its whole allowance stays spent, so the cap holds. */
        lostCalls: z.number().int().nonnegative().default(0),
        /** Tokens and USD failed sub-teams were allowed and could not account for: they stay spent too. */
        lostTokens: z.number().nonnegative().optional(),
        lostUsd: z.number().nonnegative().optional(),
        lowNoted: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** How many model turns each agent has taken so far in the chain (see ModelTurns). */
    modelTurns: z.record(z.string(), z.number().int().positive()).optional(),
    /** Optional steps skipped because they failed for good. */
    degraded: z.array(z.object({ member: z.string(), reason: z.string() }).strict()).optional(),
    /** The root run's feed: where its offsets stand, its newest items, and who published last. */
    feed: z
      .object({
        start: z.number().int().nonnegative(),
        items: z.array(FeedItemSchema),
        publishers: z.record(z.string(), z.number().int().nonnegative()),
      })
      .strict()
      .optional(),
  })
  .strict();

/** How a run streams (absent in runs started without streaming, or with it turned off). */
export const FeedSpecSchema = z
  .object({
    /** How long a model call's text gathers before it is sent to the feed as one signal. */
    batchMs: z.number().int().min(10).max(60_000),
    /** For a sub-team's run: the root run's workflow id, whose feed takes what happens in this one. */
    root: z.string().optional(),
    /** For a sub-team's run: its member path from the root. */
    path: z.array(z.string()).optional(),
  })
  .strict();

/**
 * What a run receives when it starts: the team's spec (sub-teams included), the input, the run's budget and prices,
 * and, after a continue-as-new, the carry. Clients build it with `buildRunSpec`.
 */
export const RunSpecSchema = z
  .object({
    team: TeamSpecSchema,
    input: z.unknown(),
    /** Every team reachable as a sub-team, by name, so child workflows get their spec. */
    subteams: z.record(z.string(), TeamSpecSchema).default({}),
    /** A parent's remaining budget, for a run started as a sub-team. */
    budget: z
      .object({
        agentCalls: z.number().int().nonnegative().optional(),
        tokens: z.number().int().nonnegative().optional(),
        costUsd: z.number().nonnegative().optional(),
        /** Epoch ms after which no further model call starts: the parent's time cap. */
        deadline: z.number().optional(),
      })
      .strict()
      .optional(),
    /** A budget given when the run was started (`troupe run --budget-*`), in place of the team's. */
    runBudget: BudgetSpecSchema.optional(),
    carry: CarrySchema.optional(),
    /** Set when the run streams what its members write into a feed (see FeedSpecSchema). */
    feed: FeedSpecSchema.optional(),
    /** Set by the client when the cluster has Troupe's search attributes, so runs awaiting approval can be listed. */
    searchAttributes: z.boolean().default(false),
    /** Model prices for the cost estimate (from TROUPE_PRICES); none means no estimate. */
    prices: PricesSchema.default({}),
    /**
     * Set by buildRunSpec once this spec passed this schema. Temporal evaluates a workflow's modules
     * afresh for every run, so building the schema in each run costs more than a run's own logic.
     */
    checked: z.literal(true).optional(),
    /**
     * Set by the client when it gave the run TroupeTopology, TroupeStatus `running` and TroupeTokens 0 at
     * start, so the workflow's first task has none of them to write (nor the patches that introduced them).
     */
    startAttributes: z.literal(true).optional(),
    /**
     * Set by the client with startAttributes: spending is next written 10 s after the start, like
     * any later write (a short run writes its attributes once, when it ends). Runs started before
     * keep writing at their first stage, as they did when they were recorded.
     */
    spendingWrittenAtStart: z.literal(true).optional(),
  })
  .strict()
  .superRefine((run, ctx) => {
    const missing = [run.team, ...Object.values(run.subteams)].flatMap((team) =>
      team.subteams.filter((name) => !run.subteams[name]),
    );
    for (const name of new Set(missing))
      ctx.addIssue({ code: 'custom', path: ['subteams'], message: `sub-team "${name}" has no spec in the run` });
  });

/** What a continue-as-new carries ({@link CarrySchema}). */
export type Carry = z.infer<typeof CarrySchema>;
/** How a run streams ({@link FeedSpecSchema}). */
export type FeedSpec = z.infer<typeof FeedSpecSchema>;
/** USD per million tokens by model ({@link PricesSchema}). */
export type Prices = z.infer<typeof PricesSchema>;
/** What a run receives when it starts ({@link RunSpecSchema}). */
export type RunSpec = z.infer<typeof RunSpecSchema>;

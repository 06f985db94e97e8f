import { z } from 'zod';
import { DurationSchema } from './duration.js';

/**
 * How Temporal retries a failed agent call. By default attempts are unlimited and the agent's
 * `totalTimeout` bounds them instead: rate limits and overloads are normal weather for LLM APIs,
 * and a few seconds of 429s must not fail a run. Non-retryable errors still fail at once.
 */
export const RetrySpecSchema = z
  .object({
    /** Unset: unlimited, bounded by the agent's totalTimeout. */
    maximumAttempts: z.number().int().positive().optional(),
    initialInterval: DurationSchema.default(1_000),
    backoffCoefficient: z.number().min(1).default(2),
    maximumInterval: DurationSchema.default(60_000),
  })
  .strict();

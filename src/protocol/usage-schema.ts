import { z } from 'zod';

/** Token usage of one model call, or the sum of many. Cache figures come from the Messages API. */
export const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  cacheWriteTokens: z.number().int().nonnegative(),
  /** Uses of Anthropic's server tools in the call, when there were any. */
  webSearchRequests: z.number().int().nonnegative().optional(),
  webFetchRequests: z.number().int().nonnegative().optional(),
});

/** Token usage of one model call, or the sum of many ({@link UsageSchema}). */
export type Usage = z.infer<typeof UsageSchema>;

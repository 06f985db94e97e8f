import type { Prices } from './run-spec.js';
import type { Usage } from './usage-schema.js';

// The schema is apart (usage-schema.ts): workflows use these sums, and a workflow evaluates its
// modules afresh for every run, so zod here would cost every run.
export type { Usage } from './usage-schema.js';

/** No tokens used: the start of a sum. */
export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

/** The sum of two usages, server tool requests included. */
export function addUsage(a: Usage, b: Usage): Usage {
  const webSearchRequests = (a.webSearchRequests ?? 0) + (b.webSearchRequests ?? 0);
  const webFetchRequests = (a.webFetchRequests ?? 0) + (b.webFetchRequests ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    // Present only once a server tool was used, so runs without them keep their old shape.
    ...(webSearchRequests ? { webSearchRequests } : {}),
    ...(webFetchRequests ? { webFetchRequests } : {}),
  };
}

/** Estimated USD cost of `usage` on `model`, or undefined when the model has no price. Cache tokens default to the input price. */
export function costOf(prices: Prices, model: string, usage: Usage): number | undefined {
  const price = prices[model];
  if (!price) return undefined;
  const perToken = (perMillion: number | undefined, fallback: number) => (perMillion ?? fallback) / 1_000_000;
  return (
    usage.inputTokens * perToken(price.input, 0) +
    usage.outputTokens * perToken(price.output, 0) +
    usage.cacheReadTokens * perToken(price.cacheRead, price.input) +
    usage.cacheWriteTokens * perToken(price.cacheWrite, price.input)
  );
}

/** Adds two cost estimates; unknown (undefined) once either is. */
export function addCost(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}

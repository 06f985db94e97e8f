import type { RunSpec } from '../../../protocol/run-spec.js';
import type { Usage } from '../../../protocol/usage.js';

/** What a sub-team is handed: its share of what is left of every cap of the whole tree. */
export type Allowance = NonNullable<RunSpec['budget']>;

/** What a sub-team spent; `lost`: what a failed one's calls in flight may still cost (their worst case). */
export interface Spent {
  usage: Usage;
  calls: number;
  costUsd: number | undefined;
  lost?: { calls: number; tokens: number; usd: number };
}

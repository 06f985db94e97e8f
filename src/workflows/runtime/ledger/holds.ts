import type { Prices } from '../../../protocol/run-spec.js';
import type { CallNeed } from '../call-bounds.js';

/** Tokens and USD held for a call in flight or a sub-team at work, until it is charged. */
export interface Hold {
  tokens: number;
  usd: number;
}

/** The most a call may cost: its tokens, and USD with input at its dearest rate on the dearer of the agent's models. */
export function worstCase(call: CallNeed, prices: Prices): Hold {
  const tokens = call.inputTokens + call.outputTokens;
  // Input at its dearest rate (cache writes may cost more than plain input); a model without a price costs 0.
  const usd = Math.max(
    0,
    ...call.models.map((model) => {
      const p = prices[model];
      if (!p) return 0;
      const input = Math.max(p.input, p.cacheRead ?? p.input, p.cacheWrite ?? p.input);
      return (call.inputTokens * input + call.outputTokens * p.output) / 1_000_000;
    }),
  );
  return { tokens, usd };
}

/**
 * What calls in flight (keyed by their CallNeed) and sub-teams at work (keyed by their allowance)
 * hold under token and USD caps. Sums run in the order the holds were made, so the figures are
 * the same, to the last bit, on every replay.
 */
export class Holds {
  private readonly held = new Map<object, Hold>();

  get(key: object): Hold | undefined {
    return this.held.get(key);
  }

  set(key: object, hold: Hold): void {
    this.held.set(key, hold);
  }

  delete(key: object): void {
    this.held.delete(key);
  }

  get tokens(): number {
    let sum = 0;
    for (const hold of this.held.values()) sum += hold.tokens;
    return sum;
  }

  get usd(): number {
    let sum = 0;
    for (const hold of this.held.values()) sum += hold.usd;
    return sum;
  }

  /** `tokens` and `usd` each added to the holds one by one (a sub-team's report of what it may still cost). */
  addedTo(tokens: number, usd: number): Hold {
    for (const hold of this.held.values()) [tokens, usd] = [tokens + hold.tokens, usd + hold.usd];
    return { tokens, usd };
  }
}

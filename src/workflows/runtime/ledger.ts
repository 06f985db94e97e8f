import { ZERO_USAGE, addCost, addUsage, costOf, type Prices, type RunSpec, type Usage } from '../../protocol/index.js';
import type { StopReason } from '../../protocol/messages.js';

/** Thrown inside a topology when a limit is reached; the run then ends with a flagged partial result. */
export class LimitReached extends Error {
  constructor(readonly reason: StopReason) {
    super(`limit reached: ${reason}`);
    this.name = 'LimitReached';
  }
}

/**
 * Tokens and agent calls spent by a run, its sub-teams included, checked against the team's
 * limits and any budget a parent handed down. Carried across continue-as-new, so limits hold.
 */
export class Ledger {
  usage: Usage;
  agentCalls: number;
  /** Estimated cost in USD; undefined without prices, or once a model without a price was used. */
  costUsd: number | undefined;
  private readonly prices: Prices;
  private readonly maxAgentCalls: number | undefined;
  private readonly maxTokens: number | undefined;

  constructor(run: RunSpec) {
    this.usage = run.carry?.usage ?? ZERO_USAGE;
    this.agentCalls = run.carry?.agentCalls ?? 0;
    this.prices = run.prices;
    // No prices, no estimate: a run must not show $0 while running and nothing once it is done.
    this.costUsd = run.carry ? run.carry.costUsd : Object.keys(run.prices).length ? 0 : undefined;
    this.maxAgentCalls = min(run.team.limits.maxAgentCalls, run.budget?.agentCalls);
    this.maxTokens = min(run.team.limits.maxTokens, run.budget?.tokens);
  }

  get tokens(): number {
    return this.usage.inputTokens + this.usage.outputTokens + this.usage.cacheReadTokens + this.usage.cacheWriteTokens;
  }

  /**
   * Charges an agent call (by model), or a sub-team's whole spend (by its own estimate). Every call
   * made counts, failed ones too (with what they used), so the ledger agrees with the history.
   */
  charge(usage: Usage, spent: { model: string } | { calls: number; costUsd: number | undefined }): void {
    this.usage = addUsage(this.usage, usage);
    this.agentCalls += 'model' in spent ? 1 : spent.calls;
    this.costUsd = addCost(this.costUsd, 'model' in spent ? costOf(this.prices, spent.model, usage) : spent.costUsd);
  }

  /** Throws LimitReached when no further agent call fits. */
  ensureRoom(): void {
    if (this.maxAgentCalls !== undefined && this.agentCalls >= this.maxAgentCalls) throw new LimitReached('maxAgentCalls');
    if (this.maxTokens !== undefined && this.tokens >= this.maxTokens) throw new LimitReached('maxTokens');
  }

  /** What is left, handed to a sub-team so the whole tree stays within the limits. */
  remaining(): { agentCalls?: number; tokens?: number } {
    return {
      ...(this.maxAgentCalls !== undefined ? { agentCalls: Math.max(0, this.maxAgentCalls - this.agentCalls) } : {}),
      ...(this.maxTokens !== undefined ? { tokens: Math.max(0, this.maxTokens - this.tokens) } : {}),
    };
  }
}

function min(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

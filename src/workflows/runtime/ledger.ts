import { ZERO_USAGE, addUsage, type RunSpec, type Usage } from '../../team/index.js';
import type { StopReason } from '../messages.js';

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
  private readonly maxAgentCalls: number | undefined;
  private readonly maxTokens: number | undefined;

  constructor(run: RunSpec) {
    this.usage = run.carry?.usage ?? ZERO_USAGE;
    this.agentCalls = run.carry?.agentCalls ?? 0;
    this.maxAgentCalls = min(run.team.limits.maxAgentCalls, run.budget?.agentCalls);
    this.maxTokens = min(run.team.limits.maxTokens, run.budget?.tokens);
  }

  get tokens(): number {
    return this.usage.inputTokens + this.usage.outputTokens + this.usage.cacheReadTokens + this.usage.cacheWriteTokens;
  }

  charge(usage: Usage, calls = 1): void {
    this.usage = addUsage(this.usage, usage);
    this.agentCalls += calls;
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

import { condition, patched } from '@temporalio/workflow';
import type { BudgetRaise, BudgetSpec } from '../../team/budget.js';
import { ZERO_USAGE, addCost, addUsage, costOf, type Usage } from '../../protocol/usage.js';
import type { Carry, Prices, RunSpec } from '../../protocol/run-spec.js';
import type { NoticeMemo, StopReason } from '../../protocol/messages.js';
import { workflowNow } from './clock.js';

/** Thrown inside a topology when a limit is reached; the run then ends with a flagged partial result. */
export class LimitReached extends Error {
  /** `budget`: the run's own budget ran out (not a team limit, a round limit or a parent's allowance). */
  constructor(
    readonly reason: StopReason,
    readonly budget = false,
  ) {
    super(`limit reached: ${reason}`);
    this.name = 'LimitReached';
  }
}

/**
 * Since this patch calls in flight count against the call cap (parallel calls cannot overshoot it),
 * a sub-team's allowance of calls stays spoken for until it reports back, and a run that reaches a
 * cap waits for its calls in flight before it returns, so its figures count every call made.
 */
export const EXACT_BUDGET_PATCH = 'troupe-exact-budget';

/** Caps on what may still be spent; `deadline` is an epoch time in ms. */
interface Caps {
  calls?: number | undefined;
  tokens?: number | undefined;
  usd?: number | undefined;
  deadline?: number | undefined;
}

/** What a sub-team is handed: the remaining budget of the whole tree. */
export type Allowance = NonNullable<RunSpec['budget']>;

/** Asks a person for more budget: resolves with the raise, or undefined when refused or expired. `check` names what is wrong with a raise. */
export type AskForMore = (reason: StopReason, check: (raise: BudgetRaise | undefined) => string | undefined) => Promise<BudgetRaise | undefined>;

/**
 * Tokens, estimated cost, time and model calls spent by a run, its sub-teams included, checked
 * before every model call against the team's limits, its budget and whatever a parent handed down.
 * Carried across continue-as-new, so the caps hold for the whole chain.
 */
export class Ledger {
  usage: Usage;
  agentCalls: number;
  /** Estimated cost in USD; undefined without prices, or once a model without a price was used. */
  costUsd: number | undefined;
  /** The run's own budget as it stands: the team's, or the one given at start, raised by a person perhaps. */
  budget: BudgetSpec | undefined;
  /** When the chain started (workflow time): the budget's time cap counts from here. */
  readonly startedAt: number;
  /** True once the budget's lowAt share is spent: agents with a cheaperModel switch to it. */
  low: boolean;
  /** Set by the run: how to ask a person for more, and how to record a notice in history. */
  askForMore: AskForMore | undefined;
  onNotice: ((notice: NoticeMemo) => void) | undefined;
  private readonly prices: Prices;
  private readonly limits: Caps;
  private lostCalls: number;
  /** Calls in flight (one per agent call, a sub-team's whole allowance): they count against the call cap. */
  private reserved = 0;
  /** Members started together that have not begun yet (see startingTogether). */
  private startingBeside = 0;
  /** Agent calls and sub-teams in flight. */
  private outstanding = 0;
  private exact: boolean | undefined;
  private asking: Promise<void> | undefined;

  constructor(run: RunSpec) {
    this.usage = run.carry?.usage ?? ZERO_USAGE;
    this.agentCalls = run.carry?.agentCalls ?? 0;
    this.prices = run.prices;
    // No prices, no estimate: a run must not show $0 while running and nothing once it is done.
    this.costUsd = run.carry ? run.carry.costUsd : Object.keys(run.prices).length ? 0 : undefined;
    const handed = run.budget;
    this.limits = {
      calls: min(run.team.limits.maxAgentCalls, handed?.agentCalls),
      tokens: min(run.team.limits.maxTokens, handed?.tokens),
      usd: handed?.costUsd,
      deadline: handed?.deadline,
    };
    const carried = run.carry?.budget;
    this.budget = carried?.current ?? run.runBudget ?? run.team.budget;
    this.startedAt = carried?.startedAt ?? workflowNow();
    this.lostCalls = carried?.lostCalls ?? 0;
    this.low = carried?.lowNoted ?? false;
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
    if ('model' in spent) this.release();
  }

  /** `count` members are about to start at once: a sub-team among them leaves a call for each of the others. */
  startingTogether(count: number): void {
    this.startingBeside += count;
  }

  /** A member call begins: it no longer waits beside the others (see startingTogether). */
  memberStarting(): void {
    this.startingBeside = Math.max(0, this.startingBeside - 1);
  }

  /** Ends an agent call that ensureRoom made room for, when it is not charged (it was cancelled). */
  release(): void {
    this.reserved = Math.max(0, this.reserved - 1);
    this.outstanding = Math.max(0, this.outstanding - 1);
  }

  /**
   * Waits until the calls and sub-teams in flight have reported back, so a run stopping at a cap
   * counts every call made (the patch keeps earlier runs replaying as they ran).
   */
  async settled(): Promise<void> {
    if (this.outstanding > 0 && this.patchedExact()) await condition(() => this.outstanding === 0);
  }

  /**
   * Makes room for one model call, or throws LimitReached when none fits. A budget that asks when
   * it runs out returns a promise instead, settled once a person raised it (or throws on refusal).
   * Synchronous otherwise, so runs without a budget schedule their calls exactly as before.
   * `reserve: false` only checks (a sub-team reserves its allowance through handDown).
   */
  ensureRoom(reserve = true): void | Promise<void> {
    if (this.asking) return this.asking.then(() => this.ensureRoom(reserve));
    const reason = this.exhausted();
    if (reason) {
      if (reason.own && this.budget?.onExhausted === 'ask' && this.askForMore) {
        this.asking = this.ask(reason.reason).finally(() => (this.asking = undefined));
        return this.asking.then(() => this.ensureRoom(reserve));
      }
      throw new LimitReached(reason.reason, reason.own);
    }
    this.noteLow();
    if (reserve) {
      this.reserved += 1;
      this.outstanding += 1;
    }
  }

  /**
   * What a sub-team may spend: what is left of every cap. Its calls stay reserved here until
   * `settle` charges what it really spent, so sub-teams working at once never share the same calls.
   */
  handDown(): Allowance {
    const caps = this.caps();
    // Members starting beside this sub-team (a parallel step, a turn's delegations) keep a call each.
    const beside = this.counted() ? this.startingBeside : 0;
    const calls = caps.calls === undefined ? undefined : Math.max(0, caps.calls - this.committedCalls() - beside);
    this.reserved += calls ?? 0;
    this.outstanding += 1;
    return {
      ...(calls !== undefined ? { agentCalls: calls } : {}),
      ...(caps.tokens !== undefined ? { tokens: Math.max(0, caps.tokens - this.tokens) } : {}),
      ...(caps.usd !== undefined && this.costUsd !== undefined ? { costUsd: Math.max(0, caps.usd - this.costUsd) } : {}),
      ...(caps.deadline !== undefined ? { deadline: caps.deadline } : {}),
    };
  }

  /** Charges a sub-team's spend; one that failed may have used all its calls, so they stay spent. */
  settle(allowance: Allowance, spent: { usage: Usage; calls: number; costUsd: number | undefined } | undefined): void {
    const calls = allowance.agentCalls ?? 0;
    this.reserved = Math.max(0, this.reserved - calls);
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (!spent && this.counted()) this.lostCalls += calls;
    if (spent) this.charge(spent.usage, { calls: spent.calls, costUsd: spent.costUsd });
  }

  /** What continue-as-new carries of the budget. */
  carry(): NonNullable<Carry['budget']> {
    return { startedAt: this.startedAt, ...(this.budget ? { current: this.budget } : {}), lostCalls: this.lostCalls, lowNoted: this.low };
  }

  private committedCalls(): number {
    return this.agentCalls + this.lostCalls + (this.counted() ? this.reserved : 0);
  }

  /** Whether calls in flight count against the call cap (behind a patch, so runs from before replay as they ran). */
  private counted(): boolean {
    return this.caps().calls !== undefined && this.patchedExact();
  }

  private patchedExact(): boolean {
    this.exact ??= patched(EXACT_BUDGET_PATCH);
    return this.exact;
  }

  /** The cap reached, and whether it is the run's own budget (which a person may raise). */
  private exhausted(): { reason: StopReason; own: boolean } | undefined {
    const fixed = this.over(this.limits);
    if (fixed) return { reason: fixed, own: false };
    const own = this.over(this.budgetCaps());
    return own ? { reason: own, own: true } : undefined;
  }

  private over(caps: Caps): StopReason | undefined {
    if (caps.calls !== undefined && this.committedCalls() >= caps.calls) return 'maxAgentCalls';
    if (caps.tokens !== undefined && this.tokens >= caps.tokens) return 'maxTokens';
    if (caps.usd !== undefined && this.costUsd !== undefined && this.costUsd >= caps.usd) return 'maxCostUsd';
    if (caps.deadline !== undefined && workflowNow() >= caps.deadline) return 'maxTime';
    return undefined;
  }

  private budgetCaps(budget = this.budget): Caps {
    if (!budget) return {};
    return { calls: budget.calls, tokens: budget.tokens, usd: budget.usd, deadline: budget.time === undefined ? undefined : this.startedAt + budget.time };
  }

  /** The tighter of the fixed limits and the budget, cap by cap. */
  private caps(): Caps {
    const own = this.budgetCaps();
    return { calls: min(this.limits.calls, own.calls), tokens: min(this.limits.tokens, own.tokens), usd: min(this.limits.usd, own.usd), deadline: min(this.limits.deadline, own.deadline) };
  }

  private async ask(reason: StopReason): Promise<void> {
    const ask = this.askForMore as AskForMore;
    this.onNotice?.({ kind: 'budget-exhausted', detail: `${reason} reached (${this.describe()}); waiting for a person to raise the budget` });
    const raise = await ask(reason, (r) => this.problemWith(r));
    if (!raise) {
      this.onNotice?.({ kind: 'budget-exhausted', detail: `${reason} reached (${this.describe()}); the budget was not raised` });
      throw new LimitReached(reason, true);
    }
    this.budget = { ...(this.budget as BudgetSpec), ...raise };
    this.onNotice?.({ kind: 'budget-raised', detail: `budget raised to ${JSON.stringify(raise)} (${this.describe()})` });
  }

  /** Why a raise cannot apply: each new cap must be above the current one, and leave room for a call. */
  private problemWith(raise: BudgetRaise | undefined): string | undefined {
    if (!raise) return 'approve with a raise of the budget (e.g. { raise: { calls: 20 } }), or reject to stop the run with its partial result';
    const budget = this.budget as BudgetSpec;
    for (const key of ['calls', 'tokens', 'usd', 'time'] as const) {
      const wanted = raise[key];
      const current = budget[key];
      if (wanted !== undefined && current !== undefined && wanted <= current) return `a raise must be above the current cap: ${key} ${wanted} is not above ${current}`;
    }
    const still = this.over(this.budgetCaps({ ...budget, ...raise }));
    return still ? `the raise leaves ${still} exhausted (${this.describe()}): raise that cap too` : undefined;
  }

  /** Spent so far, for notices: calls, tokens, cost, time. */
  private describe(): string {
    const cost = this.costUsd === undefined ? '' : `, $${this.costUsd.toFixed(4)}`;
    return `${this.agentCalls} calls, ${this.tokens} tokens${cost}, ${Math.round((workflowNow() - this.startedAt) / 1_000)} s`;
  }

  /** Notes (once) that the budget's lowAt share is spent: from then on agents use their cheaper model. */
  private noteLow(): void {
    const lowAt = this.budget?.lowAt;
    if (this.low || lowAt === undefined) return;
    const b = this.budget as BudgetSpec;
    const shares = [
      b.calls === undefined ? 0 : this.agentCalls / b.calls,
      b.tokens === undefined ? 0 : this.tokens / b.tokens,
      b.usd === undefined || this.costUsd === undefined ? 0 : this.costUsd / b.usd,
      b.time === undefined ? 0 : (workflowNow() - this.startedAt) / b.time,
    ];
    const spent = Math.max(...shares);
    if (spent < lowAt) return;
    this.low = true;
    this.onNotice?.({ kind: 'budget-low', detail: `${Math.round(spent * 100)}% of the budget spent (${this.describe()}): agents with a cheaper model use it from now on` });
  }
}

function min(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

/** The agent as it runs now: with its cheaper model once the budget runs low. */
export function withBudgetModel<A extends { model: string; cheaperModel?: string | undefined }>(agent: A, ledger: Ledger): A {
  return ledger.low && agent.cheaperModel !== undefined && agent.model !== agent.cheaperModel ? { ...agent, model: agent.cheaperModel } : agent;
}

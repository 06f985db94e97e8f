import {condition, sleep} from '@temporalio/workflow';
import type { BudgetRaise, BudgetSpec } from '../../team/budget.js';
import { ZERO_USAGE, addCost, addUsage, costOf, type Usage } from '../../protocol/usage.js';
import type { Carry, Prices, RunSpec } from '../../protocol/run-spec.js';
import type { NoticeMemo, StopReason } from '../../protocol/messages.js';
import { workflowNow } from './clock.js';
import { timedOut, type CallNeed } from './call-bounds.js';
import { isPatched } from './patches.js';

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

/** Tokens and USD held for a call in flight or a sub-team at work, until it is charged. */
interface Hold {
  tokens: number;
  usd: number;
}

/** Caps on what may still be spent; `deadline` is an epoch time in ms. */
interface Caps {
  calls?: number | undefined;
  tokens?: number | undefined;
  usd?: number | undefined;
  deadline?: number | undefined;
}

/** What a sub-team spent; `lost`: what a failed one's calls in flight may still cost (their worst case). */
export interface Spent {
  usage: Usage;
  calls: number;
  costUsd: number | undefined;
  lost?: { calls: number; tokens: number; usd: number };
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
  private exactCaps: boolean | undefined;
  /** Worst cases of the calls in flight and allowances of the sub-teams at work ('troupe-exact-caps'). */
  private readonly holds = new Map<object, Hold>();
  /**
   * What failed sub-teams may have spent beyond what they reported: the whole allowance of one that
   * could not report, the worst case of the calls one left in flight. It stays spent, so the caps hold.
   */
  private lostTokens: number;
  private lostUsd: number;
  /** Agents and sub-teams started together that have not begun yet, for fair shares ('troupe-exact-caps'). */
  private togetherAgents = 0;
  private togetherTeams = 0;
  /** The call that waits for a person to raise the budget: a raise must leave room for it. */
  private waiting: CallNeed | undefined;
  private asking: Promise<void> | undefined;
  /** Failures of calls whose schedule-to-close the time cap bounded (see cutByTimeCap): only these can be the cap's. */
  private readonly cutCalls = new WeakSet<object>();

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
    this.lostTokens = carried?.lostTokens ?? 0;
    this.lostUsd = carried?.lostUsd ?? 0;
    this.low = carried?.lowNoted ?? false;
  }

  get tokens(): number {
    return this.usage.inputTokens + this.usage.outputTokens + this.usage.cacheReadTokens + this.usage.cacheWriteTokens;
  }

  /**
   * Charges an agent call (by model), or a sub-team's whole spend (by its own estimate). Every call
   * made counts, failed ones too (with what they used), so the ledger agrees with the history.
   */
  charge(usage: Usage, spent: { model: string; need?: CallNeed | undefined } | { calls: number; costUsd: number | undefined }): void {
    this.usage = addUsage(this.usage, usage);
    this.agentCalls += 'model' in spent ? 1 : spent.calls;
    this.costUsd = addCost(this.costUsd, 'model' in spent ? costOf(this.prices, spent.model, usage) : spent.costUsd);
    if ('model' in spent) this.release(spent.need);
  }

  /**
   * `count` members are about to start at once, `subteams` of them sub-teams: a sub-team among them
   * leaves a call for each agent beside it and shares what is left with the other sub-teams.
   */
  startingTogether(count: number, subteams = 0): void {
    this.startingBeside += count;
    this.together(count - subteams, subteams);
  }

  /** An agent delegates to members at once in one turn: they share what is left as in startingTogether. */
  together(agents: number, subteams: number): void {
    this.togetherAgents += agents;
    this.togetherTeams += subteams;
  }

  /** A member call begins: it no longer waits beside the others (see startingTogether). */
  memberStarting(subteam = false): void {
    this.startingBeside = Math.max(0, this.startingBeside - 1);
    if (subteam) this.togetherTeams = Math.max(0, this.togetherTeams - 1);
    else this.togetherAgents = Math.max(0, this.togetherAgents - 1);
  }

  /**
   * A call that failed after timing out may have been billed for what the model generated, which
   * no answer reports: under a token or USD cap its worst case stays spent, so the cap still holds.
   * Call before charging or releasing it. `cut`: the time cap bounded the call's schedule-to-close.
   */
  failed(need: CallNeed | undefined, error: unknown, cut: boolean): void {
    if (cut && typeof error === 'object' && error !== null) this.cutCalls.add(error);
    const held = need ? this.holds.get(need) : undefined;
    if (!held || !timedOut(error) || !isPatched('troupe-timed-out-calls-spent')) return;
    this.lostTokens += held.tokens;
    this.lostUsd += held.usd;
  }

  /** Ends an agent call that ensureRoom made room for (`need`, what it held), when it is not charged (it was cancelled). */
  release(need?: CallNeed): void {
    this.reserved = Math.max(0, this.reserved - 1);
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (need) this.holds.delete(need);
  }

  /**
   * The time left before the time cap, to bound a call's schedule-to-close by, so a call cannot run
   * past the cap; undefined without a time cap.
   */
  timeLeft(): number | undefined {
    const deadline = this.caps().deadline;
    if (deadline === undefined || !this.patchedCaps()) return undefined;
    return deadline - workflowNow();
  }

  /**
   * Whether `error` is a call stopped at the time cap: the cap bounded the call (see failed), and it
   * timed out with less time left than one attempt of it (`attemptTimeout`) takes, so it could not
   * have finished within the cap.
   */
  stoppedAtTimeCap(error: unknown, attemptTimeout: number): boolean {
    const deadline = this.caps().deadline;
    if (deadline === undefined || !timedOut(error) || deadline - workflowNow() >= attemptTimeout || !this.patchedCaps()) return false;
    // Asked only for a call the cap did not cut: runs recorded before keep the cap's reading of it.
    return this.cutCalls.has(error as object) || !isPatched('troupe-time-cap-cut-calls');
  }

  /** Waits out what is left of the time cap (a call stopped there may end a moment before it). */
  async untilTimeCap(): Promise<void> {
    const left = (this.caps().deadline ?? 0) - workflowNow();
    if (left > 0) await sleep(left);
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
   * `call` is what the call may spend at most (held until it is charged, under token and USD caps);
   * `false` only checks (a sub-team reserves its allowance through handDown).
   */
  ensureRoom(call?: CallNeed | false): void | Promise<void> {
    if (this.asking) return this.asking.then(() => this.ensureRoom(call));
    const need = call ? this.worstCase(call) : undefined;
    const reason = this.exhausted(need);
    if (reason) {
      if (reason.own && this.budget?.onExhausted === 'ask' && this.askForMore) {
        this.waiting = call || undefined;
        this.asking = this.ask(reason.reason).finally(() => (this.asking = undefined));
        return this.asking.then(() => this.ensureRoom(call));
      }
      throw new LimitReached(reason.reason, reason.own);
    }
    this.noteLow();
    if (call !== false) {
      this.reserved += 1;
      this.outstanding += 1;
      if (call && need) this.holds.set(call, need);
    }
  }

  /** What a call may cost at most, when token or USD caps make it count ('troupe-exact-caps'). */
  private worstCase(call: CallNeed): Hold | undefined {
    const caps = this.caps();
    if (caps.tokens === undefined && (caps.usd === undefined || this.costUsd === undefined)) return undefined;
    if (!this.patchedCaps()) return undefined;
    const tokens = call.inputTokens + call.outputTokens;
    // Input at its dearest rate (cache writes may cost more than plain input), on the dearer of the agent's models.
    const usd = Math.max(
      0,
      ...call.models.map((model) => {
        const p = this.prices[model];
        if (!p) return 0;
        const input = Math.max(p.input, p.cacheRead ?? p.input, p.cacheWrite ?? p.input);
        return (call.inputTokens * input + call.outputTokens * p.output) / 1_000_000;
      }),
    );
    return { tokens, usd };
  }

  /**
   * What a sub-team may spend: its share of what is left of every cap. It stays held here until
   * `settle` charges what it really spent, so sub-teams working at once never share the same budget.
   */
  handDown(): Allowance {
    const caps = this.caps();
    // Only a run under some cap asks for the patch: the histories of runs without one stay as they were.
    const capped = [caps.calls, caps.tokens, caps.usd, caps.deadline].some((cap) => cap !== undefined);
    return this.handDownShares(caps, capped && this.patchedCaps());
  }

  /**
   * Before 'troupe-exact-caps': the calls left less one for each member starting beside, and every
   * token and dollar left. Since: the calls left less one for each agent starting beside, shared
   * with the sub-teams starting beside; tokens and USD left (less what calls in flight hold) shared
   * with every member starting beside. The allowance is held until the sub-team is settled.
   */
  private handDownShares(caps: Caps, fair: boolean): Allowance {
    const sharing = 1 + this.togetherTeams + this.togetherAgents;
    let calls: number | undefined;
    if (caps.calls !== undefined) {
      const left = caps.calls - this.committedCalls();
      calls = fair ? Math.max(0, Math.floor((left - this.togetherAgents) / (1 + this.togetherTeams))) : Math.max(0, left - (this.counted() ? this.startingBeside : 0));
    }
    const tokensLeft = caps.tokens === undefined ? undefined : Math.max(0, caps.tokens - (fair ? this.committedTokens() : this.tokens));
    const usdLeft = caps.usd === undefined || this.costUsd === undefined ? undefined : Math.max(0, caps.usd - (fair ? this.committedUsd() : this.costUsd));
    const allowance: Allowance = {
      ...(calls !== undefined ? { agentCalls: calls } : {}),
      ...(tokensLeft !== undefined ? { tokens: fair ? Math.floor(tokensLeft / sharing) : tokensLeft } : {}),
      ...(usdLeft !== undefined ? { costUsd: fair ? usdLeft / sharing : usdLeft } : {}),
      ...(caps.deadline !== undefined ? { deadline: caps.deadline } : {}),
    };
    this.reserved += calls ?? 0;
    this.outstanding += 1;
    if (fair) this.holds.set(allowance, { tokens: allowance.tokens ?? 0, usd: allowance.costUsd ?? 0 });
    return allowance;
  }

  /**
   * Charges a sub-team's spend. One that failed and could not say what it spent may have used its
   * whole allowance: it stays spent (calls, and since 'troupe-exact-caps' tokens and USD), so the caps hold.
   */
  settle(allowance: Allowance, spent: Spent | undefined): void {
    const calls = allowance.agentCalls ?? 0;
    this.reserved = Math.max(0, this.reserved - calls);
    this.outstanding = Math.max(0, this.outstanding - 1);
    const held = this.holds.get(allowance);
    this.holds.delete(allowance);
    if (!spent && this.counted()) this.lostCalls += calls;
    if (!spent && held) {
      this.lostTokens += held.tokens;
      this.lostUsd += held.usd;
    }
    if (!spent) return;
    this.charge(spent.usage, { calls: spent.calls, costUsd: spent.costUsd });
    // A failed sub-team's calls still in flight may yet be paid for: their worst case stays spent.
    if (spent.lost) {
      this.lostCalls += spent.lost.calls;
      this.lostTokens += spent.lost.tokens;
      this.lostUsd += spent.lost.usd;
    }
  }

  /** What this run spent, and (failing) what its calls in flight and failed sub-teams may still cost: for its parent. */
  spent(): Spent {
    let [tokens, usd] = [this.lostTokens, this.lostUsd];
    for (const hold of this.holds.values()) [tokens, usd] = [tokens + hold.tokens, usd + hold.usd];
    return { usage: this.usage, calls: this.agentCalls, costUsd: this.costUsd, lost: { calls: this.lostCalls + this.reserved, tokens, usd } };
  }

  /** What continue-as-new carries of the budget. */
  carry(): NonNullable<Carry['budget']> {
    const lost = { ...(this.lostTokens ? { lostTokens: this.lostTokens } : {}), ...(this.lostUsd ? { lostUsd: this.lostUsd } : {}) };
    return { startedAt: this.startedAt, ...(this.budget ? { current: this.budget } : {}), lostCalls: this.lostCalls, ...lost, lowNoted: this.low };
  }

  /** Tokens spent, lost with failed sub-teams, and held for calls in flight and sub-teams at work. */
  private committedTokens(): number {
    let held = 0;
    for (const hold of this.holds.values()) held += hold.tokens;
    return this.tokens + this.lostTokens + held;
  }

  private committedUsd(): number {
    let held = 0;
    for (const hold of this.holds.values()) held += hold.usd;
    return (this.costUsd ?? 0) + this.lostUsd + held;
  }

  /** Whether tokens, USD and time are exact caps (behind a patch, so runs from before replay as they ran). */
  private patchedCaps(): boolean {
    this.exactCaps ??= isPatched('troupe-exact-caps');
    return this.exactCaps;
  }

  private committedCalls(): number {
    return this.agentCalls + this.lostCalls + (this.counted() ? this.reserved : 0);
  }

  /** Whether calls in flight count against the call cap (behind a patch, so runs from before replay as they ran). */
  private counted(): boolean {
    return this.caps().calls !== undefined && this.patchedExact();
  }

  private patchedExact(): boolean {
    this.exact ??= isPatched('troupe-exact-budget');
    return this.exact;
  }

  /** The cap reached, and whether it is the run's own budget (which a person may raise). */
  private exhausted(need?: Hold): { reason: StopReason; own: boolean } | undefined {
    const fixed = this.over(this.limits, need);
    if (fixed) return { reason: fixed, own: false };
    const own = this.over(this.budgetCaps(), need);
    return own ? { reason: own, own: true } : undefined;
  }

  /**
   * The cap a call cannot start under. Without `need`: the cap is reached. With it ('troupe-exact-caps'):
   * what is spent and held plus the call's worst case would pass the cap.
   */
  private over(caps: Caps, need?: Hold): StopReason | undefined {
    if (caps.calls !== undefined && this.committedCalls() >= caps.calls) return 'maxAgentCalls';
    if (need) {
      if (caps.tokens !== undefined && this.committedTokens() + need.tokens > caps.tokens) return 'maxTokens';
      if (caps.usd !== undefined && this.costUsd !== undefined && this.committedUsd() + need.usd > caps.usd) return 'maxCostUsd';
    }
    if (caps.tokens !== undefined && this.tokens >= caps.tokens) return 'maxTokens';
    if (caps.usd !== undefined && this.costUsd !== undefined && this.costUsd >= caps.usd) return 'maxCostUsd';
    if (caps.deadline !== undefined && workflowNow() >= caps.deadline) return 'maxTime';
    return undefined;
  }

  private budgetCaps(budget = this.budget): Caps {
    if (!budget) return {};
    return { calls: budget.calls, tokens: budget.tokens, usd: budget.usd, deadline: budget.time === undefined ? undefined : this.startedAt + budget.time };
  }

  /** Whether a call's worst case counts (a token or USD cap): only then is it worth estimating. */
  weighsCalls(): boolean {
    const caps = this.caps();
    return caps.tokens !== undefined || caps.usd !== undefined;
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
    const waiting = this.waiting ? this.worstCase(this.waiting) : undefined;
    const still = this.over(this.budgetCaps({ ...budget, ...raise }), waiting);
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

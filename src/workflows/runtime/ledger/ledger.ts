import type { BudgetRaise, BudgetSpec } from '../../../team/budget.js';
import { ZERO_USAGE, addCost, addUsage, costOf, type Usage } from '../../../protocol/usage.js';
import type { Carry, Prices, RunSpec } from '../../../protocol/run-spec.js';
import type { NoticeMemo, StopReason } from '../../../protocol/messages.js';
import type { CallNeed } from '../call-bounds.js';
import type { Allowance, Spent } from './allowance.js';
import { budgetCaps, lower, tighter, type Caps } from './caps.js';
import type { LedgerEnv } from './env.js';
import { Holds, worstCase, type Hold } from './holds.js';
import { InFlight } from './in-flight.js';
import type { Room } from './room.js';
import { StartingTogether } from './starting-together.js';

/** What the ledger reads of a run's spec: its team's limits and budget, a budget given at start, a parent's allowance, prices, and what continue-as-new carried. */
export type LedgerRun = Pick<RunSpec, 'prices' | 'budget' | 'runBudget' | 'carry'> & {
  team: { limits: Pick<RunSpec['team']['limits'], 'maxAgentCalls' | 'maxTokens'>; budget?: RunSpec['team']['budget'] };
};

/**
 * Tokens, estimated cost, time and model calls spent by a run, its sub-teams included, checked
 * before every model call against the team's limits, its budget and whatever a parent handed down.
 * Carried across continue-as-new, so the caps hold for the whole chain.
 *
 * Plain code: the clock and the patches come from `env`, nothing waits and nothing asks a person.
 * The workflow's adapter waits (for a raise, for calls in flight, for the time cap) and records notices.
 */
export class Ledger {
  /** When the chain started (workflow time): the budget's time cap counts from here. */
  readonly startedAt: number;
  private spentUsage: Usage;
  private calls: number;
  private cost: number | undefined;
  private current: BudgetSpec | undefined;
  private lowNoted: boolean;
  private readonly prices: Prices;
  /** The team's limits and a parent's allowance: caps no person raises. */
  private readonly limits: Caps;
  /**
   * What failed sub-teams and timed-out calls may have spent beyond what was reported: the whole
   * allowance of a sub-team that could not report, the worst case of calls left in flight. It stays
   * spent, so the caps hold.
   */
  private lostCalls: number;
  private lostTokens: number;
  private lostUsd: number;
  private readonly inFlight = new InFlight();
  /** Worst cases of the calls in flight and allowances of the sub-teams at work ('troupe-exact-caps'). */
  private readonly holds = new Holds();
  private readonly starting = new StartingTogether();
  /** Failures of calls whose schedule-to-close the time cap bounded (see failed): only these can be the cap's. */
  private readonly cutCalls = new WeakSet<object>();
  /** The two patches read most, asked once each, where first needed. */
  private exact: boolean | undefined;
  private exactCaps: boolean | undefined;

  constructor(
    run: LedgerRun,
    private readonly env: LedgerEnv,
  ) {
    this.spentUsage = run.carry?.usage ?? ZERO_USAGE;
    this.calls = run.carry?.agentCalls ?? 0;
    this.prices = run.prices;
    // No prices, no estimate: a run must not show $0 while running and nothing once it is done.
    this.cost = run.carry ? run.carry.costUsd : Object.keys(run.prices).length ? 0 : undefined;
    const handed = run.budget;
    this.limits = {
      calls: lower(run.team.limits.maxAgentCalls, handed?.agentCalls),
      tokens: lower(run.team.limits.maxTokens, handed?.tokens),
      usd: handed?.costUsd,
      deadline: handed?.deadline,
    };
    const carried = run.carry?.budget;
    this.current = carried?.current ?? run.runBudget ?? run.team.budget;
    this.startedAt = carried?.startedAt ?? env.now();
    this.lostCalls = carried?.lostCalls ?? 0;
    this.lostTokens = carried?.lostTokens ?? 0;
    this.lostUsd = carried?.lostUsd ?? 0;
    this.lowNoted = carried?.lowNoted ?? false;
  }

  get usage(): Usage {
    return this.spentUsage;
  }

  /** Model calls made, failed ones and sub-teams' included. */
  get agentCalls(): number {
    return this.calls;
  }

  /** Estimated cost in USD; undefined without prices, or once a model without a price was used. */
  get costUsd(): number | undefined {
    return this.cost;
  }

  /** The run's own budget as it stands: the team's, or the one given at start, raised by a person perhaps. */
  get budget(): BudgetSpec | undefined {
    return this.current;
  }

  /** True once the budget's lowAt share is spent: agents with a cheaperModel switch to it. */
  get low(): boolean {
    return this.lowNoted;
  }

  get tokens(): number {
    return (
      this.spentUsage.inputTokens +
      this.spentUsage.outputTokens +
      this.spentUsage.cacheReadTokens +
      this.spentUsage.cacheWriteTokens
    );
  }

  /** Whether the run's own budget waits for a person to raise it when it runs out. */
  get asksWhenExhausted(): boolean {
    return this.current?.onExhausted === 'ask';
  }

  /** Model calls and sub-teams in flight: a run stopping at a cap waits for them to report (see waitsForOutstanding). */
  get outstanding(): number {
    return this.inFlight.outstanding;
  }

  /** Whether a run stopping at a cap must wait for what is in flight (asks 'troupe-exact-budget' only then). */
  get waitsForOutstanding(): boolean {
    return this.outstanding > 0 && this.patchedExact();
  }

  /**
   * Makes room for one model call, or names the cap that leaves none. `call` is what the call may
   * spend at most (held until it is charged, under token and USD caps); `false` only checks (a
   * sub-team reserves its allowance through handDown). With room, the call counts in flight until
   * `charge` or `release`. Never throws, never asks: on a `limit` with `own` and asksWhenExhausted,
   * the adapter asks a person (see exhaustedNotice, problemWith, raise), and makes every other call
   * wait for that answer before it calls ensureRoom again.
   */
  ensureRoom(call?: CallNeed | false): Room {
    const need = call ? this.worstCase(call) : undefined;
    const reached = this.exhausted(need);
    if (reached) return { kind: 'limit', ...reached };
    const notice = this.noteLow();
    if (call !== false) {
      this.inFlight.callStarted();
      if (call && need) this.holds.set(call, need);
    }
    return notice ? { kind: 'room', notice } : { kind: 'room' };
  }

  /**
   * Charges a model call (by model; it ends the call ensureRoom made room for), or a sub-team's
   * whole spend (by its own estimate). Every call made counts, failed ones too (with what they
   * used), so the ledger agrees with the history.
   */
  charge(
    usage: Usage,
    spent: { model: string; need?: CallNeed | undefined } | { calls: number; costUsd: number | undefined },
  ): void {
    // Ended first: a call charged twice throws (LedgerMiscount) before it is counted twice.
    if ('model' in spent) this.release(spent.need);
    this.spentUsage = addUsage(this.spentUsage, usage);
    this.calls += 'model' in spent ? 1 : spent.calls;
    this.cost = addCost(this.cost, 'model' in spent ? costOf(this.prices, spent.model, usage) : spent.costUsd);
  }

  /** Ends a model call that ensureRoom made room for (`need`, what it held), when it is not charged (it was cancelled). */
  release(need?: CallNeed): void {
    this.inFlight.callEnded();
    if (need) this.holds.delete(need);
  }

  /**
   * `count` members are about to start at once (a fan-out), `subteams` of them sub-teams: a sub-team
   * among them leaves a call for each agent beside it and shares what is left with the other sub-teams.
   */
  startingTogether(count: number, subteams = 0): void {
    this.starting.fanOut(count, subteams);
  }

  /** An agent delegates to members at once in one turn (`agents` with its own next turn): they share as in startingTogether. */
  together(agents: number, subteams: number): void {
    this.starting.delegating(agents, subteams);
  }

  /** A member call begins: it no longer waits beside the others (see startingTogether). */
  memberStarting(subteam = false): void {
    this.starting.begun(subteam);
  }

  /**
   * A model call failed. One that timed out may have been billed for what the model generated,
   * which no answer reports: under a token or USD cap its worst case stays spent, so the cap still
   * holds. Call before charging or releasing it. `timedOut`: the call's time ran out (Temporal's
   * timeout or the model client's); `cut`: the time cap bounded its schedule-to-close.
   */
  failed(need: CallNeed | undefined, error: unknown, how: { timedOut: boolean; cut: boolean }): void {
    if (how.cut && typeof error === 'object' && error !== null) this.cutCalls.add(error);
    const held = need ? this.holds.get(need) : undefined;
    if (!held || !how.timedOut || !this.env.isPatched('troupe-timed-out-calls-spent')) return;
    this.lostTokens += held.tokens;
    this.lostUsd += held.usd;
  }

  /**
   * The time left before the time cap, to bound a call's schedule-to-close by, so a call cannot run
   * past the cap; undefined without a time cap (or for runs from before 'troupe-exact-caps').
   */
  timeLeft(): number | undefined {
    const deadline = this.caps().deadline;
    if (deadline === undefined || !this.patchedCaps()) return undefined;
    return deadline - this.env.now();
  }

  /** The time until the time cap, for waiting it out; undefined without one. Asks no patch. */
  timeUntilCap(): number | undefined {
    const deadline = this.caps().deadline;
    return deadline === undefined ? undefined : deadline - this.env.now();
  }

  /**
   * Whether `error` is a call stopped at the time cap: the cap bounded the call (see failed), and it
   * timed out (`how.timedOut`) with less time left than one attempt of it (`how.attemptTimeout`)
   * takes, so it could not have finished within the cap.
   */
  stoppedAtTimeCap(error: unknown, how: { timedOut: boolean; attemptTimeout: number }): boolean {
    const deadline = this.caps().deadline;
    if (
      deadline === undefined ||
      !how.timedOut ||
      deadline - this.env.now() >= how.attemptTimeout ||
      !this.patchedCaps()
    )
      return false;
    // Asked only for a call the cap did not cut: runs recorded before keep the cap's reading of it.
    return this.cutCalls.has(error as object) || !this.env.isPatched('troupe-time-cap-cut-calls');
  }

  /** Whether a call's worst case counts (a token or USD cap): only then is it worth estimating. */
  weighsCalls(): boolean {
    const caps = this.caps();
    return caps.tokens !== undefined || caps.usd !== undefined;
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
   * Before 'troupe-exact-caps': the calls left less one for each fan-out member starting beside, and
   * every token and dollar left. Since: the calls left less one for each agent starting beside,
   * shared with the sub-teams starting beside; tokens and USD left (less what calls in flight hold)
   * shared with every member starting beside. The allowance is held until the sub-team is settled.
   */
  private handDownShares(caps: Caps, exact: boolean): Allowance {
    let calls: number | undefined;
    if (caps.calls !== undefined) {
      const left = caps.calls - this.committedCalls();
      calls = exact ? this.starting.shareOfCalls(left) : this.starting.callsBesideFanOut(left, this.counted());
    }
    // Spent and held may pass a cap (ensureRoom(false) checks what is spent, not what is held): nothing is left then.
    const tokensLeft =
      caps.tokens === undefined ? undefined : Math.max(0, caps.tokens - (exact ? this.committedTokens() : this.tokens));
    const usdLeft =
      caps.usd === undefined || this.cost === undefined
        ? undefined
        : Math.max(0, caps.usd - (exact ? this.committedUsd() : this.cost));
    const sharing = this.starting.sharing;
    const allowance: Allowance = {
      ...(calls !== undefined ? { agentCalls: calls } : {}),
      ...(tokensLeft !== undefined ? { tokens: exact ? Math.floor(tokensLeft / sharing) : tokensLeft } : {}),
      ...(usdLeft !== undefined ? { costUsd: exact ? usdLeft / sharing : usdLeft } : {}),
      ...(caps.deadline !== undefined ? { deadline: caps.deadline } : {}),
    };
    this.inFlight.handedDown(allowance, calls ?? 0);
    if (exact) this.holds.set(allowance, { tokens: allowance.tokens ?? 0, usd: allowance.costUsd ?? 0 });
    return allowance;
  }

  /**
   * Charges a sub-team's spend (`spent`, its result or its report), and ends its allowance. One that
   * failed and could not say what it spent may have used its whole allowance: it stays spent (calls,
   * and since 'troupe-exact-caps' tokens and USD), so the caps hold.
   */
  settle(allowance: Allowance, spent: Spent | undefined): void {
    const calls = this.inFlight.settled(allowance);
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
    const { tokens, usd } = this.holds.addedTo(this.lostTokens, this.lostUsd);
    return {
      usage: this.spentUsage,
      calls: this.calls,
      costUsd: this.cost,
      lost: { calls: this.lostCalls + this.inFlight.reserved, tokens, usd },
    };
  }

  /** What continue-as-new carries of the budget. */
  carry(): NonNullable<Carry['budget']> {
    const lost = {
      ...(this.lostTokens ? { lostTokens: this.lostTokens } : {}),
      ...(this.lostUsd ? { lostUsd: this.lostUsd } : {}),
    };
    return {
      startedAt: this.startedAt,
      ...(this.current ? { current: this.current } : {}),
      lostCalls: this.lostCalls,
      ...lost,
      lowNoted: this.lowNoted,
    };
  }

  /** The notice of a budget run out: while a person is asked (`waiting`), or once the budget was not raised (`refused`). */
  exhaustedNotice(reason: StopReason, stage: 'waiting' | 'refused'): NoticeMemo {
    const then = stage === 'waiting' ? 'waiting for a person to raise the budget' : 'the budget was not raised';
    return { kind: 'budget-exhausted', detail: `${reason} reached (${this.describe()}); ${then}` };
  }

  /**
   * Why a raise cannot apply, or undefined when it can: each new cap must be above the current one,
   * and leave room for the call waiting for it (`waiting`, as given to ensureRoom).
   */
  problemWith(raise: BudgetRaise | undefined, waiting?: CallNeed | false): string | undefined {
    if (!raise)
      return 'approve with a raise of the budget (e.g. { raise: { calls: 20 } }), or reject to stop the run with its partial result';
    const budget = this.current as BudgetSpec;
    for (const key of ['calls', 'tokens', 'usd', 'time'] as const) {
      const wanted = raise[key];
      const current = budget[key];
      if (wanted !== undefined && current !== undefined && wanted <= current)
        return `a raise must be above the current cap: ${key} ${wanted} is not above ${current}`;
    }
    const need = waiting ? this.worstCase(waiting) : undefined;
    const still = this.over(budgetCaps({ ...budget, ...raise }, this.startedAt), need);
    return still ? `the raise leaves ${still} exhausted (${this.describe()}): raise that cap too` : undefined;
  }

  /** Applies a person's raise (one problemWith found nothing wrong with) and returns its notice. `_reason`: the cap that ran out. */
  raise(raise: BudgetRaise, _reason: StopReason): NoticeMemo {
    this.current = { ...(this.current as BudgetSpec), ...raise };
    return { kind: 'budget-raised', detail: `budget raised to ${JSON.stringify(raise)} (${this.describe()})` };
  }

  /** What a call may cost at most, when token or USD caps make it count ('troupe-exact-caps'). */
  private worstCase(call: CallNeed): Hold | undefined {
    const caps = this.caps();
    if (caps.tokens === undefined && (caps.usd === undefined || this.cost === undefined)) return undefined;
    if (!this.patchedCaps()) return undefined;
    return worstCase(call, this.prices);
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
      if (caps.usd !== undefined && this.cost !== undefined && this.committedUsd() + need.usd > caps.usd)
        return 'maxCostUsd';
    }
    if (caps.tokens !== undefined && this.tokens >= caps.tokens) return 'maxTokens';
    if (caps.usd !== undefined && this.cost !== undefined && this.cost >= caps.usd) return 'maxCostUsd';
    if (caps.deadline !== undefined && this.env.now() >= caps.deadline) return 'maxTime';
    return undefined;
  }

  /** Calls made, lost with failed sub-teams, and (once calls in flight count) reserved. */
  private committedCalls(): number {
    return this.calls + this.lostCalls + (this.counted() ? this.inFlight.reserved : 0);
  }

  /** Tokens spent, lost with failed sub-teams, and held for calls in flight and sub-teams at work. */
  private committedTokens(): number {
    return this.tokens + this.lostTokens + this.holds.tokens;
  }

  private committedUsd(): number {
    return (this.cost ?? 0) + this.lostUsd + this.holds.usd;
  }

  /** Whether calls in flight count against the call cap (behind a patch, so runs from before replay as they ran). */
  private counted(): boolean {
    return this.caps().calls !== undefined && this.patchedExact();
  }

  private patchedExact(): boolean {
    this.exact ??= this.env.isPatched('troupe-exact-budget');
    return this.exact;
  }

  /** Whether tokens, USD and time are exact caps (behind a patch, so runs from before replay as they ran). */
  private patchedCaps(): boolean {
    this.exactCaps ??= this.env.isPatched('troupe-exact-caps');
    return this.exactCaps;
  }

  private budgetCaps(): Caps {
    return budgetCaps(this.current, this.startedAt);
  }

  /** The tighter of the fixed limits and the budget, cap by cap. */
  private caps(): Caps {
    return tighter(this.limits, this.budgetCaps());
  }

  /** Spent so far, for notices: calls, tokens, cost, time. */
  private describe(): string {
    const cost = this.cost === undefined ? '' : `, $${this.cost.toFixed(4)}`;
    return `${this.calls} calls, ${this.tokens} tokens${cost}, ${Math.round((this.env.now() - this.startedAt) / 1_000)} s`;
  }

  /** Notes (once) that the budget's lowAt share is spent: from then on agents use their cheaper model. */
  private noteLow(): NoticeMemo | undefined {
    const lowAt = this.current?.lowAt;
    if (this.lowNoted || lowAt === undefined) return undefined;
    const b = this.current as BudgetSpec;
    const shares = [
      b.calls === undefined ? 0 : this.calls / b.calls,
      b.tokens === undefined ? 0 : this.tokens / b.tokens,
      b.usd === undefined || this.cost === undefined ? 0 : this.cost / b.usd,
      b.time === undefined ? 0 : (this.env.now() - this.startedAt) / b.time,
    ];
    const spent = Math.max(...shares);
    if (spent < lowAt) return undefined;
    this.lowNoted = true;
    return {
      kind: 'budget-low',
      detail: `${Math.round(spent * 100)}% of the budget spent (${this.describe()}): agents with a cheaper model use it from now on`,
    };
  }
}

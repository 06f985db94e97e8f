import { condition, sleep } from '@temporalio/workflow';
import { BUDGET_GATE } from '../../team/budget-gate.js';
import type { ApprovalSpec } from '../../team/approval.js';
import type { BudgetRaise } from '../../team/budget-raise.js';
import type { StopReason } from '../../protocol/messages.js';
import type { RunSpec } from '../../protocol/run-spec.js';
import type { Approvals } from './approvals.js';
import type { CallNeed } from './call-bounds.js';
import type { Ledger } from './ledger/index.js';
import type { Transcript } from './transcript.js';

/** No room left: the cap reached, and whether it is the run's own budget (not a team limit or a parent's allowance). */
export interface Limit {
  reason: StopReason;
  own: boolean;
}

/**
 * The ledger in the workflow: makes room for calls, and when the run's own budget runs out and
 * says to ask, waits at the "budget" gate for a person to raise it (listed by `troupe pending`,
 * decided with `troupe budget raise`). Also waits for calls in flight and for the time cap. The
 * accounting itself is the ledger's, with no Temporal in it.
 */
export class Spending {
  private asking: Promise<Limit | undefined> | undefined;

  constructor(
    private readonly run: RunSpec,
    private readonly ledger: Ledger,
    private readonly approvals: Approvals,
    private readonly transcript: Transcript,
  ) {}

  /**
   * Makes room for one model call (`call`: what it may spend at most, held until it is charged;
   * `false` only checks, as a sub-team reserves its allowance when handed it), or says which limit
   * leaves none. Synchronous unless a person is asked, so runs without a budget that asks schedule
   * their calls exactly as before.
   */
  room(call?: CallNeed | false): Limit | undefined | Promise<Limit | undefined> {
    if (this.asking) return this.asking.then((limit) => limit ?? this.room(call));
    const room = this.ledger.ensureRoom(call);
    if (room.kind === 'room') {
      if (room.notice) this.transcript.notice(room.notice);
      return undefined;
    }
    if (!room.own || !this.ledger.asksWhenExhausted) return { reason: room.reason, own: room.own };
    this.asking = this.ask(room.reason, call).finally(() => (this.asking = undefined));
    return this.asking.then((limit) => limit ?? this.room(call));
  }

  /** Waits until the calls and sub-teams in flight have reported back, so a run stopping at a cap counts every call made. */
  async settled(): Promise<void> {
    if (this.ledger.waitsForOutstanding) await condition(() => this.ledger.outstanding === 0);
  }

  /** Waits out what is left of the time cap (a call stopped there may end a moment before it). */
  async untilTimeCap(): Promise<void> {
    const left = this.ledger.timeUntilCap() ?? 0;
    if (left > 0) await sleep(left);
  }

  private async ask(reason: StopReason, waiting: CallNeed | false | undefined): Promise<Limit | undefined> {
    this.transcript.notice(this.ledger.exhaustedNotice(reason, 'waiting'));
    const raise = await this.raiseAsked(reason, waiting);
    if (!raise) {
      this.transcript.notice(this.ledger.exhaustedNotice(reason, 'refused'));
      return { reason, own: true };
    }
    this.transcript.notice(this.ledger.raise(raise, reason));
    return undefined;
  }

  /** Asks a person at the budget gate: the raise, or undefined when it was rejected or the wait expired. */
  private async raiseAsked(
    reason: StopReason,
    waiting: CallNeed | false | undefined,
  ): Promise<BudgetRaise | undefined> {
    const { ledger } = this;
    const budget = ledger.budget;
    const spec: ApprovalSpec = {
      gate: BUDGET_GATE,
      approvers: budget?.approvers ?? ['*'],
      when: 'always',
      timeout: budget?.askTimeout ?? 86_400_000,
      onTimeout: 'reject',
      remindBefore: [],
      maxChangeRequests: 0,
    };
    const spent = {
      calls: ledger.agentCalls,
      tokens: ledger.tokens,
      ...(ledger.costUsd !== undefined ? { costUsd: ledger.costUsd } : {}),
    };
    const decision = await this.approvals.request(
      spec,
      { from: this.run.team.name, content: { exhausted: reason, budget, spent } },
      (d) =>
        d.decision === 'approve'
          ? ledger.problemWith(d.raise, waiting)
          : d.decision === 'reject'
            ? undefined
            : 'the budget gate takes approve (with a raise) or reject',
    );
    return decision.decision === 'approve' ? decision.raise : undefined;
  }
}

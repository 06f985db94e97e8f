import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ApprovalDecision, ApprovalDecisionSchema } from '../../team/approval-decision.js';
import type { ApprovalSpec } from '../../team/approval.js';
import { FailureType } from '../../team/errors.js';
import type { AwaitingApproval, DecisionReceipt, RefusedDecisionMemo } from '../../protocol/messages.js';
import {
  REFUSED_DECISION_MEMO,
  SEARCH_ATTRIBUTES,
  decideUpdate,
  decisionSignal,
} from '../../protocol/run-interface.js';
import { workflowNow } from './clock.js';
import { summarise } from './prompt.js';
import type { Transcript } from './transcript.js';
import { isPatched } from './patches.js';

const { sendReminder } = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } });
// Checking a signature is quick and local to the worker that holds the secret.
const { verifyDecision } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3 },
});

/** What a waiting gate asks of a decision beyond its approvers: a signature, or a check of its own (the budget gate's raise). */
export interface GateRules {
  signed?: boolean | undefined;
  check?: ((decision: ApprovalDecision) => string | undefined) | undefined;
}

export type Decided = ApprovalDecision & { gate: string; via: 'signal' | 'update' | 'timeout' };

/** A decision's schema, loaded once a decision arrives: zod would otherwise cost every run's start (see decision-check.ts). */
async function decisionSchema(): Promise<typeof ApprovalDecisionSchema> {
  return (await import(/* webpackMode: "eager" */ '../../team/approval-decision.js')).ApprovalDecisionSchema;
}

/**
 * Human approval gates. A decision comes by update (the caller is told at once why it was refused)
 * or by signal (a refused one is ignored, never applied). Either way a refused decision is kept in
 * the transcript and in the event history: the update as a failed update, the signal as a memo
 * change naming it, so `troupe history` shows every decision received. While
 * a gate waits, the run says so in its current details, its progress and, when the cluster has
 * them, its search attributes; the deadline's policy approves, rejects or escalates. Gates open one
 * at a time, in the order asked: one asked while another waits (members working in parallel) waits
 * for its turn, and its deadline counts from when it opens.
 */
export class Approvals {
  private waiting: AwaitingApproval | undefined;
  private rules: GateRules = {};
  private inbox: Decided | undefined;
  private readonly decided = new Map<string, string>();
  /** Decision signals received by this run (one link of a chain), to name a refused one in history. */
  private signals = 0;
  /** Requests not yet decided, in the order asked: the first is the one open. */
  private readonly queue: number[] = [];
  private asked = 0;

  constructor(
    private readonly transcript: Transcript,
    private readonly context: { team: string; searchAttributes: boolean; onWaiting?: (waiting: boolean) => void },
  ) {
    setHandler(decisionSignal, (input) => this.receive(input));
    // No validator: a validator's refusal never reaches history. The handler refuses instead, so the
    // refusal is recorded (the update completes with this failure) and the caller still learns why.
    setHandler(decideUpdate, async (input): Promise<DecisionReceipt> => {
      const schema = await decisionSchema();
      const refuse = (problem: string): never => {
        this.recordRefusal(schema, input, problem, 'update');
        throw ApplicationFailure.create({ message: problem, type: FailureType.DecisionRefused, nonRetryable: true });
      };
      const problem = this.problem(schema, input);
      if (problem !== undefined) return refuse(problem);
      const receipt = (d: Decided): DecisionReceipt => ({
        gate: d.gate,
        accepted: true,
        decision: d.decision,
        by: d.by,
      });
      if (!this.rules.signed) return receipt(this.accept(schema.parse(input), 'update'));
      const now = (await this.verify(schema.parse(input))) ?? this.problem(schema, input);
      return now === undefined ? receipt(this.accept(schema.parse(input), 'update')) : refuse(now);
    });
  }

  /**
   * Why a decision on a signed gate is refused (unsigned, forged, or the worker cannot check it),
   * or undefined when its signature holds. The check runs in a local activity on the worker.
   */
  private async verify(decision: ApprovalDecision): Promise<string | undefined> {
    const gate = decision.gate ?? this.waiting?.gate ?? '';
    try {
      const verdict = await verifyDecision({ workflowId: workflowInfo().workflowId, gate, decision });
      return verdict.valid ? undefined : verdict.reason;
    } catch (error) {
      // A check that could not run refuses the decision; it must not fail a run that waited days for it.
      return `the worker could not check the signature (${(error as Error).message}): send the decision again`;
    }
  }

  /** Waits for its turn, then for a decision on `spec`'s gate, applying its deadline, escalation and reminders. */
  async request(
    spec: ApprovalSpec,
    subject: { from: string; content: unknown },
    check?: GateRules['check'],
  ): Promise<Decided> {
    const turn = this.asked;
    this.asked += 1;
    this.queue.push(turn);
    try {
      // Only a request asked while another waits checks the patch: runs without one replay as they ran.
      if (this.queue[0] !== turn && isPatched('troupe-one-gate-at-a-time'))
        await condition(() => this.queue[0] === turn);
      return await this.decide(spec, subject, check);
    } finally {
      this.queue.splice(this.queue.indexOf(turn), 1);
    }
  }

  private async decide(
    spec: ApprovalSpec,
    subject: { from: string; content: unknown },
    check?: GateRules['check'],
  ): Promise<Decided> {
    this.rules = { signed: spec.signed, check };
    const about = `${subject.from}: ${summarise(subject.content, 60)}`;
    let decision = await this.waitFor(spec, spec.approvers, spec.timeout, false, about);
    if (!decision && spec.onTimeout === 'escalate' && spec.escalateTo) {
      this.transcript.record({
        from: spec.gate,
        to: spec.escalateTo.approvers.join(', '),
        kind: 'approval',
        content: { escalated: true, after: `${spec.timeout} ms`, approvers: spec.escalateTo.approvers },
      });
      decision = await this.waitFor(spec, spec.escalateTo.approvers, spec.escalateTo.timeout, true, about);
      decision ??= this.expire(spec.gate, spec.escalateTo.onTimeout);
    }
    decision ??= this.expire(spec.gate, spec.onTimeout === 'approve' ? 'approve' : 'reject');
    this.decided.set(spec.gate, decision.by);
    this.transcript.record({ from: decision.by, to: spec.gate, kind: 'approval', content: decision });
    return decision;
  }

  private async waitFor(
    spec: ApprovalSpec,
    approvers: string[],
    timeoutMs: number,
    escalated: boolean,
    subject: string,
  ): Promise<Decided | undefined> {
    this.inbox = undefined;
    const deadline = workflowNow() + timeoutMs;
    this.waiting = { gate: spec.gate, approvers, deadline: new Date(deadline).toISOString(), escalated, subject };
    this.show(true);
    const reminders = new CancellationScope();
    const reminding = reminders
      .run(() => this.remind(spec, deadline))
      .catch((error: unknown) => {
        if (!isCancellation(error)) throw error;
      });
    try {
      await condition(() => this.inbox !== undefined, timeoutMs);
      return this.inbox;
    } finally {
      reminders.cancel();
      await reminding;
      this.waiting = undefined;
      this.show(false);
    }
  }

  /** Sends the reminders that fall before the deadline, earliest first. */
  private async remind(spec: ApprovalSpec, deadline: number): Promise<void> {
    const times = spec.remindBefore.map((before) => deadline - before).sort((a, b) => a - b);
    for (const at of times) {
      const wait = at - workflowNow();
      if (wait <= 0) continue;
      await sleep(wait);
      const waiting = this.waiting;
      if (!waiting) return;
      await sendReminder({
        team: this.context.team,
        gate: waiting.gate,
        approvers: waiting.approvers,
        deadline: waiting.deadline,
        subject: waiting.subject,
      });
    }
  }

  private expire(gate: string, decision: 'approve' | 'reject'): Decided {
    return {
      gate,
      by: 'deadline',
      decision,
      comment: `no decision before the deadline: ${decision === 'approve' ? 'approved' : 'rejected'} by the gate's policy`,
      via: 'timeout',
    };
  }

  /** Why a decision cannot be applied now, or undefined when it can. */
  private problem(schema: typeof ApprovalDecisionSchema, input: unknown): string | undefined {
    const parsed = schema.safeParse(input);
    if (!parsed.success)
      return `invalid decision: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'decision'}: ${i.message}`).join('; ')}`;
    const d = parsed.data;
    const gate = d.gate ?? this.waiting?.gate;
    const decidedBy = gate === undefined ? undefined : this.decided.get(gate);
    if (!this.waiting || gate !== this.waiting.gate) {
      if (decidedBy !== undefined && (!this.waiting || d.gate !== undefined))
        return `gate "${gate}" was already decided (by ${decidedBy}): a second decision is not applied`;
      return this.waiting
        ? `gate "${gate}" is not waiting for a decision; "${this.waiting.gate}" is`
        : 'no approval is waiting for a decision';
    }
    if (this.inbox) return `gate "${gate}" was already decided (by ${this.inbox.by}): a second decision is not applied`;
    const approvers = this.waiting.approvers;
    if (!approvers.includes('*') && !approvers.includes(d.by))
      return `"${d.by}" may not decide gate "${gate}": its approvers are ${approvers.join(', ')}`;
    return this.rules.check?.(d);
  }

  private async receive(input: unknown): Promise<void> {
    this.signals += 1;
    const signal = this.signals;
    const schema = await decisionSchema();
    const problem = this.problem(schema, input);
    if (problem !== undefined) return this.refuseSignal(schema, input, problem, signal);
    if (!this.rules.signed) {
      this.accept(schema.parse(input), 'signal');
      return;
    }
    // A signed gate: the signature is checked on the worker, then the decision is looked at again.
    const now = (await this.verify(schema.parse(input))) ?? this.problem(schema, input);
    if (now === undefined) this.accept(schema.parse(input), 'signal');
    else this.refuseSignal(schema, input, now, signal);
  }

  private refuseSignal(schema: typeof ApprovalDecisionSchema, input: unknown, problem: string, signal: number): void {
    this.recordRefusal(schema, input, problem, 'signal');
    if (isPatched('troupe-refused-signal-memo')) {
      const memo: RefusedDecisionMemo = { signal, refused: problem };
      upsertMemo({ [REFUSED_DECISION_MEMO]: memo });
    }
  }

  private recordRefusal(
    schema: typeof ApprovalDecisionSchema,
    input: unknown,
    problem: string,
    via: 'signal' | 'update',
  ): void {
    const parsed = schema.safeParse(input);
    const by = parsed.success ? parsed.data.by : 'unknown';
    this.transcript.record({
      from: by,
      to: parsed.success ? (parsed.data.gate ?? 'approval') : 'approval',
      kind: 'approval',
      content: { refused: problem, received: input, via },
    });
  }

  private accept(decision: ApprovalDecision, via: 'signal' | 'update'): Decided {
    const accepted = { ...decision, gate: decision.gate ?? this.waiting?.gate ?? '', via };
    this.inbox = accepted;
    return accepted;
  }

  private show(waiting: boolean): void {
    const w = this.waiting;
    this.context.onWaiting?.(waiting);
    this.transcript.wait(waiting && w ? { ...w } : null);
    if (w && waiting)
      this.transcript.doing(
        `awaiting approval of "${w.gate}" by ${w.approvers.join(', ')} until ${w.deadline}${w.escalated ? ' (escalated)' : ''}`,
      );
    if (this.context.searchAttributes) {
      upsertSearchAttributes([
        { key: SEARCH_ATTRIBUTES.awaitingApproval, value: waiting },
        { key: SEARCH_ATTRIBUTES.approvalGate, value: waiting && w ? w.gate : null },
      ]);
    }
  }
}

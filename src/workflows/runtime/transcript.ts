import { setCurrentDetails, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { Carry, RunSpec } from '../../protocol/run-spec.js';
import type { Envelope } from '../../protocol/envelope.js';
import type {
  AwaitingApproval,
  DegradedStep,
  NoticeMemo,
  ResultFlag,
  RunProgress,
  RunResult,
  StopReason,
} from '../../protocol/messages.js';
import { NOTICE_MEMO, progressQuery } from '../../protocol/run-interface.js';
import { workflowNow } from './clock.js';
import type { Feed } from './feed/feed.js';
import type { Ledger } from './ledger/index.js';
import { summarise } from './prompt.js';
import type { MemberResult } from './member-result.js';

/** The start of a value as text, without writing the whole of a large one out (summarise reads all it is given). */
function brief(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return text.slice(0, 400);
}

const BUDGET_EVENTS = { 'budget-low': 'low', 'budget-exhausted': 'exhausted', 'budget-raised': 'raised' } as const;

/** How many envelopes a run keeps in memory and carries across continue-as-new; history has them all. */
const KEPT_ENVELOPES = 200;

/**
 * The run's record of handoffs and its shared state, readable at any time through the `progress`
 * query and mirrored into the workflow's current details for the Temporal UI.
 */
export class Transcript {
  private readonly envelopes: Envelope[];
  private envelopeCount: number;
  private activity = 'starting';
  private state: unknown = null;
  readonly warnings: string[];
  /** Optional steps skipped because they failed for good: the result is flagged degraded. */
  readonly degraded: DegradedStep[];
  readonly continuedAsNew: number;
  /** What approval the run is waiting for, shown by the progress query. */
  awaiting: AwaitingApproval | null = null;
  private exhaustedStreamed = false;

  constructor(
    private readonly run: RunSpec,
    private readonly ledger: Ledger,
    /** Where what happens is streamed as it happens. */
    readonly feed: Feed,
    /** Told when the run's stage changes (the search attributes follow it). */
    private readonly onStage: () => void,
  ) {
    this.envelopes = [...(run.carry?.recentEnvelopes ?? [])];
    this.envelopeCount = run.carry?.envelopeCount ?? 0;
    this.warnings = [...(run.carry?.warnings ?? [])];
    this.degraded = [...(run.carry?.degraded ?? [])];
    this.continuedAsNew = run.carry?.continuedAsNew ?? 0;
    setHandler(progressQuery, () => this.progress());
  }

  record(envelope: Omit<Envelope, 'seq' | 'at'>): Envelope {
    const recorded = { ...envelope, seq: this.envelopeCount, at: new Date(workflowNow()).toISOString() };
    this.envelopeCount += 1;
    this.envelopes.push(recorded);
    if (this.envelopes.length > KEPT_ENVELOPES) this.envelopes.splice(0, this.envelopes.length - KEPT_ENVELOPES);
    this.stream(recorded);
    return recorded;
  }

  /** Records what a member returned (an agent's or a sub-team's output) as an envelope. */
  recordOutput(
    result: MemberResult,
    to: string,
    extra: Partial<Pick<Envelope, 'kind' | 'round' | 'revision'>> = {},
  ): Envelope {
    return this.record({
      from: result.from,
      to,
      kind: 'output',
      content: result.output,
      usage: result.usage,
      ...(result.model ? { model: result.model } : {}),
      ...(result.childWorkflowId ? { childWorkflowId: result.childWorkflowId } : {}),
      ...extra,
    });
  }

  /** The feed's view of an envelope: tool calls have events of their own (see ToolBox). */
  private stream(envelope: Envelope): void {
    if (envelope.kind === 'tool') return;
    const content = envelope.content as Record<string, unknown> | null;
    if (envelope.kind === 'approval' && content && typeof content.decision === 'string') {
      this.feed.emit({
        type: 'approval-decided',
        path: [],
        gate: envelope.to,
        decision: content.decision,
        by: envelope.from,
        ...(typeof content.comment === 'string' && content.comment ? { comment: content.comment } : {}),
      });
      return;
    }
    this.feed.emit({
      type: 'handoff',
      path: [],
      from: envelope.from,
      to: envelope.to,
      kind: envelope.kind,
      summary: summarise(brief(envelope.content), 200),
      ...(envelope.round !== undefined ? { round: envelope.round } : {}),
    });
  }

  /** The approval the run waits for (or none), shown by the progress query and streamed. */
  wait(awaiting: AwaitingApproval | null): void {
    this.awaiting = awaiting;
    if (awaiting)
      this.feed.emit({ type: 'approval-waiting', path: [], workflowId: workflowInfo().workflowId, ...awaiting });
  }

  /**
   * Leaves a notice in the history (a memo change `troupe history` shows) and in the result's
   * warnings: a step skipped, the budget low, exhausted or raised.
   */
  notice(notice: NoticeMemo): void {
    this.warnings.push(notice.detail);
    upsertMemo({ [NOTICE_MEMO]: notice });
    if (notice.kind === 'budget-exhausted') this.exhaustedStreamed = true;
    if (notice.kind !== 'degraded')
      this.feed.emit({ type: 'budget', path: [], kind: BUDGET_EVENTS[notice.kind], detail: notice.detail });
  }

  /** The run's own budget stopped it: streamed unless a notice (a person asked to raise it) already said so. */
  budgetStopped(reason: string): void {
    if (this.exhaustedStreamed) return;
    this.exhaustedStreamed = true;
    this.feed.emit({
      type: 'budget',
      path: [],
      kind: 'exhausted',
      detail: `${reason} reached: the run stops with its latest work`,
    });
  }

  /** Records that an optional step failed for good and was skipped. */
  degrade(member: string, reason: string): void {
    this.degraded.push({ member, reason });
    this.feed.emit({ type: 'member-skipped', path: [member], reason });
    this.notice({ kind: 'degraded', detail: `optional step ${member} skipped: ${reason}` });
  }

  doing(activity: string): void {
    this.activity = activity;
    this.onStage();
    setCurrentDetails(`**${this.run.team.name}** (${this.run.team.topology.kind}): ${activity}`);
  }

  /** The topology's shared state, shown by the progress query and `troupe status`. */
  share(state: unknown): void {
    this.state = state;
  }

  /** The most recent work product: what a partial result returns. */
  latestOutput(): unknown {
    for (let i = this.envelopes.length - 1; i >= 0; i -= 1) {
      const envelope = this.envelopes[i];
      // A person's decision is not work: the partial result is the work it was about.
      if (envelope && envelope.kind !== 'task' && envelope.kind !== 'approval') return envelope.content;
    }
    return null;
  }

  progress(): RunProgress {
    return {
      team: this.run.team.name,
      topology: this.run.team.topology.kind,
      activity: this.activity,
      state: this.state,
      envelopes: [...this.envelopes],
      envelopeCount: this.envelopeCount,
      usage: this.ledger.usage,
      agentCalls: this.ledger.agentCalls,
      ...(this.ledger.costUsd !== undefined ? { costUsd: this.ledger.costUsd } : {}),
      continuedAsNew: this.continuedAsNew,
      awaiting: this.awaiting,
    };
  }

  carry(state: unknown): Carry {
    return {
      state,
      usage: this.ledger.usage,
      agentCalls: this.ledger.agentCalls,
      ...(this.ledger.costUsd !== undefined ? { costUsd: this.ledger.costUsd } : {}),
      envelopeCount: this.envelopeCount,
      recentEnvelopes: [...this.envelopes],
      warnings: [...this.warnings],
      continuedAsNew: this.continuedAsNew + 1,
      ...(this.ledger.budget || this.ledger.low || this.run.carry?.budget ? { budget: this.ledger.carry() } : {}),
      ...(this.degraded.length ? { degraded: [...this.degraded] } : {}),
    };
  }

  /** The run's result; `budgetExhausted` when the run's own budget stopped it (a team limit stopping it is only partial). */
  result(output: unknown, stoppedBy?: StopReason, budgetExhausted = false): RunResult {
    const flags: ResultFlag[] = [];
    if (stoppedBy !== undefined && budgetExhausted) flags.push('budget-exhausted');
    if (this.degraded.length) flags.push('degraded');
    return {
      team: this.run.team.name,
      output,
      partial: stoppedBy !== undefined,
      ...(stoppedBy ? { stoppedBy } : {}),
      usage: this.ledger.usage,
      agentCalls: this.ledger.agentCalls,
      ...(this.ledger.costUsd !== undefined ? { costUsd: this.ledger.costUsd } : {}),
      transcript: [...this.envelopes],
      envelopeCount: this.envelopeCount,
      state: this.state,
      continuedAsNew: this.continuedAsNew,
      warnings: [...this.warnings],
      ...(flags.length ? { flags } : {}),
      ...(this.degraded.length ? { degraded: [...this.degraded] } : {}),
    };
  }
}

import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { AgentCallInput, AgentCallResult, ToolCallInput, ToolOutcome } from '../../activities/index.js';
import { ZERO_USAGE, addCost, addUsage, costOf, type Prices, type Usage } from '../../protocol/index.js';
import {
  NOTICE_MEMO,
  REFUSED_DECISION_MEMO,
  type NoticeMemo,
  type RefusedDecisionMemo,
} from '../../protocol/messages.js';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One thing that happened in a run, read from its event history: the audit trail. */
export type HistoryStep =
  | {
      kind: 'agent';
      at: string;
      agent: string;
      role: string;
      model: string;
      /** What the agent was asked to do (the activity's summary in the UI). */
      summary: string;
      attempts: number;
      durationMs: number | undefined;
      usage: Usage | undefined;
      output: unknown;
      failure: { type: string | undefined; message: string } | undefined;
    }
  | {
      kind: 'tool';
      at: string;
      agent: string;
      tool: string;
      input: unknown;
      attempts: number;
      durationMs: number | undefined;
      /** The start of what the tool returned, or of the error the model was given. */
      result: string | undefined;
      /** The model got an error result (bad input, a refusal, the tool failing for good). */
      isError: boolean;
      failure: { type: string | undefined; message: string } | undefined;
    }
  | {
      kind: 'activity';
      at: string;
      activity: string;
      attempts: number;
      durationMs: number | undefined;
      failure: { type: string | undefined; message: string } | undefined;
    }
  | { kind: 'child'; at: string; workflowId: string; workflowType: string; run: RunHistory | undefined }
  | { kind: 'decision'; at: string; via: 'signal' | 'update'; decision: unknown; refused: string | undefined }
  /** What the run noted in its history: an optional step skipped, its budget low, exhausted or raised. */
  | { kind: 'notice'; at: string; notice: NoticeMemo['kind']; detail: string }
  | {
      kind: 'end';
      at: string;
      status: 'completed' | 'failed' | 'continued-as-new' | 'cancelled' | 'terminated' | 'timed-out';
      detail: string | undefined;
    };

/** A run's audit trail, as {@link readRunHistory} reads it and `troupe history` prints it. */
export interface RunHistory {
  /** The run's workflow id. */
  workflowId: string;
  /** Its workflow type: the topology. */
  workflowType: string;
  /** The team that ran, when the history says. */
  team: string | undefined;
  /** When the run started (ISO 8601). */
  startedAt: string;
  /** What happened, in order, sub-teams' steps included. */
  steps: HistoryStep[];
  /** Totals over finished agent calls, failed ones included, and sub-teams: the same figures as the run's ledger. */
  usage: Usage;
  /** Agent calls made, failed ones and sub-teams' included. */
  agentCalls: number;
  /** Estimated from the prices the run was started with; absent without a price for every model used. */
  costUsd?: number;
}

/** Loads the history of a child workflow by id, or undefined when it is not available. */
export type ChildHistoryLoader = (workflowId: string) => Promise<History | undefined>;

/**
 * Reads who handed what to whom from a run's event history (and, through `loadChild`, its
 * sub-teams'): every agent call with its model, attempts, duration and tokens, every decision
 * received (refused updates included), and how the run ended. Works on running and closed runs.
 */
export async function readRunHistory(
  workflowId: string,
  history: History,
  loadChild?: ChildHistoryLoader,
): Promise<RunHistory> {
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  const spec = decode<{ team?: { name?: string }; prices?: Prices }>(started?.input?.payloads?.[0]);
  const prices = spec?.prices ?? {};
  const steps: HistoryStep[] = [];
  const scheduled = new Map<string, { event: HistoryEvent; index: number }>();
  const startedAttempts = new Map<string, number>();
  const updates = new Map<string, number>();
  const signals: number[] = [];
  let usage: Usage = ZERO_USAGE;
  let agentCalls = 0;
  let costUsd: number | undefined = Object.keys(prices).length ? 0 : undefined;

  for (const event of events) {
    const at = time(event);
    const a = event.activityTaskScheduledEventAttributes;
    if (a) {
      const type = a.activityType?.name ?? 'activity';
      const input = decode<AgentCallInput>(a.input?.payloads?.[0]);
      const call =
        type === 'runTool' || type === 'runMcpTool'
          ? decode<ToolCallInput & { server?: string }>(a.input?.payloads?.[0])
          : undefined;
      const toolCall = call ? { ...call, tool: call.server ? `${call.server}:${call.tool}` : call.tool } : undefined;
      const summary = decode<string>(event.userMetadata?.summary ?? undefined) ?? '';
      // A model call: an agent's one call (runAgent) or one turn of a tool-using agent (runModelTurn).
      const step: HistoryStep =
        (type === 'runAgent' || type === 'runModelTurn') && input?.agent
          ? {
              kind: 'agent',
              at,
              agent: input.agent.name,
              role: input.agent.role,
              model: input.agent.model,
              summary,
              attempts: 1,
              durationMs: undefined,
              usage: undefined,
              output: undefined,
              failure: undefined,
            }
          : toolCall
            ? {
                kind: 'tool',
                at,
                agent: toolCall.agent,
                tool: toolCall.tool,
                input: toolCall.input,
                attempts: 1,
                durationMs: undefined,
                result: undefined,
                isError: false,
                failure: undefined,
              }
            : { kind: 'activity', at, activity: type, attempts: 1, durationMs: undefined, failure: undefined };
      scheduled.set(String(event.eventId), { event, index: steps.push(step) - 1 });
      continue;
    }
    const activityStarted = event.activityTaskStartedEventAttributes;
    if (activityStarted) startedAttempts.set(String(activityStarted.scheduledEventId), activityStarted.attempt ?? 1);
    const closed =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (closed) {
      const origin = scheduled.get(String(closed.scheduledEventId));
      const step = origin ? steps[origin.index] : undefined;
      if (step && (step.kind === 'agent' || step.kind === 'activity' || step.kind === 'tool')) {
        step.attempts = startedAttempts.get(String(closed.scheduledEventId)) ?? 1;
        step.durationMs = Date.parse(at) - Date.parse(step.at);
        const result = event.activityTaskCompletedEventAttributes
          ? decode<AgentCallResult>(event.activityTaskCompletedEventAttributes.result?.payloads?.[0])
          : undefined;
        const failure =
          event.activityTaskFailedEventAttributes?.failure ?? event.activityTaskTimedOutEventAttributes?.failure;
        const failureInfo = failure?.cause?.applicationFailureInfo ?? failure?.applicationFailureInfo;
        if (failure)
          step.failure = {
            type: failureInfo?.type ?? undefined,
            message: messageOf(failure.cause) ?? messageOf(failure) ?? 'failed',
          };
        if (event.activityTaskCanceledEventAttributes) step.failure = { type: 'Cancelled', message: 'cancelled' };
        if (step.kind === 'tool') {
          const outcome = event.activityTaskCompletedEventAttributes
            ? decode<ToolOutcome>(event.activityTaskCompletedEventAttributes.result?.payloads?.[0])
            : undefined;
          step.result = outcome?.preview ?? step.failure?.message;
          step.isError = outcome ? outcome.isError : true;
        }
        if (step.kind === 'agent') {
          // A paid answer outside the output schema fails the call, but its usage travels in the failure's details.
          const spent =
            result?.usage ?? decode<{ usage?: Usage }>(failureInfo?.details?.payloads?.[0])?.usage ?? ZERO_USAGE;
          step.usage = spent;
          if (result) {
            step.model = result.model || step.model;
            step.output = result.output;
          }
          usage = addUsage(usage, spent);
          agentCalls += 1;
          costUsd = addCost(costUsd, costOf(prices, step.model, spent));
        }
      }
      continue;
    }
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (child?.workflowId) {
      const childHistory = loadChild ? await loadChild(child.workflowId) : undefined;
      const run = childHistory ? await readRunHistory(child.workflowId, childHistory, loadChild) : undefined;
      if (run) {
        usage = addUsage(usage, run.usage);
        agentCalls += run.agentCalls;
        costUsd = addCost(costUsd, run.costUsd);
      }
      steps.push({
        kind: 'child',
        at,
        workflowId: child.workflowId,
        workflowType: child.workflowType?.name ?? '',
        run,
      });
      continue;
    }
    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName === 'decision') {
      signals.push(
        steps.push({
          kind: 'decision',
          at,
          via: 'signal',
          decision: decode(signal.input?.payloads?.[0]),
          refused: undefined,
        }) - 1,
      );
      continue;
    }
    // The run names each decision signal it ignored in a memo change (see REFUSED_DECISION_MEMO).
    const notice = decode<NoticeMemo>(
      event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[NOTICE_MEMO],
    );
    if (notice) {
      steps.push({ kind: 'notice', at, notice: notice.kind, detail: notice.detail });
      continue;
    }
    const memo = decode<RefusedDecisionMemo>(
      event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[REFUSED_DECISION_MEMO],
    );
    if (memo) {
      const refusedStep = steps[signals[memo.signal - 1] ?? -1];
      if (refusedStep?.kind === 'decision') refusedStep.refused = memo.refused;
      continue;
    }
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted?.acceptedRequest?.input?.name === 'decide') {
      const updateId = accepted.acceptedRequest.meta?.updateId ?? accepted.protocolInstanceId ?? '';
      updates.set(
        updateId,
        steps.push({
          kind: 'decision',
          at,
          via: 'update',
          decision: decode(accepted.acceptedRequest.input.args?.payloads?.[0]),
          refused: undefined,
        }) - 1,
      );
      continue;
    }
    // A refused update completes with the run's reason as its failure.
    const updated = event.workflowExecutionUpdateCompletedEventAttributes;
    if (updated) {
      const updateStep = steps[updates.get(updated.meta?.updateId ?? '') ?? -1];
      if (updateStep?.kind === 'decision' && updated.outcome?.failure)
        updateStep.refused = messageOf(updated.outcome.failure) ?? 'refused';
      continue;
    }
    const rejectedUpdate = event.workflowExecutionUpdateRejectedEventAttributes;
    if (rejectedUpdate?.rejectedRequest?.input?.name === 'decide') {
      steps.push({
        kind: 'decision',
        at,
        via: 'update',
        decision: decode(rejectedUpdate.rejectedRequest.input.args?.payloads?.[0]),
        refused: messageOf(rejectedUpdate.failure) ?? 'refused',
      });
      continue;
    }
    const end = ending(event);
    if (end) steps.push({ kind: 'end', at, ...end });
  }
  return {
    workflowId,
    workflowType: started?.workflowType?.name ?? '',
    team: spec?.team?.name,
    startedAt: time(events[0] ?? {}),
    steps,
    usage,
    agentCalls,
    ...(costUsd !== undefined ? { costUsd } : {}),
  };
}

function ending(
  event: HistoryEvent,
): { status: Extract<HistoryStep, { kind: 'end' }>['status']; detail: string | undefined } | undefined {
  if (event.workflowExecutionCompletedEventAttributes) return { status: 'completed', detail: undefined };
  if (event.workflowExecutionFailedEventAttributes) {
    const f = event.workflowExecutionFailedEventAttributes.failure;
    let cause = f;
    while (cause?.cause) cause = cause.cause;
    const type = cause?.applicationFailureInfo?.type;
    return { status: 'failed', detail: `${type ? `${type}: ` : ''}${messageOf(cause) ?? messageOf(f) ?? ''}` };
  }
  if (event.workflowExecutionContinuedAsNewEventAttributes) return { status: 'continued-as-new', detail: undefined };
  if (event.workflowExecutionCanceledEventAttributes) return { status: 'cancelled', detail: undefined };
  if (event.workflowExecutionTerminatedEventAttributes)
    return { status: 'terminated', detail: event.workflowExecutionTerminatedEventAttributes.reason ?? undefined };
  if (event.workflowExecutionTimedOutEventAttributes) return { status: 'timed-out', detail: undefined };
  return undefined;
}

/**
 * A failure's message. Workers that encrypt payloads keep it (and the stack trace) in the failure's
 * encoded attributes, a payload the history's reader has decoded; elsewhere it is the message field.
 */
function messageOf(failure: temporal.api.failure.v1.IFailure | null | undefined): string | undefined {
  if (!failure) return undefined;
  const encoded = decode<{ message?: unknown }>(failure.encodedAttributes);
  return typeof encoded?.message === 'string' ? encoded.message : (failure.message ?? undefined);
}

function decode<T>(payload: Payload | null | undefined): T | undefined {
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<T>(payload);
  } catch {
    return undefined;
  }
}

function time(event: HistoryEvent): string {
  const t = event.eventTime;
  if (!t) return '';
  return new Date(Number(t.seconds ?? 0) * 1_000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
}

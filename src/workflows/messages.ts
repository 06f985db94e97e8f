import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecisionInput, Envelope, Usage } from '../team/index.js';

/** Shared by workflows and src/client: the names and shapes a run answers to. */

export interface RunProgress {
  team: string;
  topology: string;
  /** One line on what the run is doing now, also shown as the workflow's current details in the UI. */
  activity: string;
  /** The topology's shared state: the swarm's blackboard, the debate's positions, the supervisor's round ... */
  state: unknown;
  /** The latest envelopes (a long run keeps only the most recent ones in memory). */
  envelopes: Envelope[];
  /** Envelopes recorded across the whole run, continue-as-new included. */
  envelopeCount: number;
  usage: Usage;
  agentCalls: number;
  /** Estimated cost in USD so far; absent without a price for every model used. */
  costUsd?: number;
  continuedAsNew: number;
  /** The approval the run is waiting for, if any. */
  awaiting: AwaitingApproval | null;
}

export interface AwaitingApproval {
  gate: string;
  approvers: string[];
  /** ISO time after which the gate's expiry policy applies. */
  deadline: string;
  /** True once the first deadline passed and the gate went to its escalation approvers. */
  escalated: boolean;
  /** What is being approved: who produced it and a short summary. */
  subject: string;
}

/** What the `decide` update answers when it accepts a decision. */
export interface DecisionReceipt {
  gate: string;
  accepted: true;
  decision: string;
  by: string;
}

/** Why a run stopped before its topology finished: the result is partial. */
export type StopReason = 'maxAgentCalls' | 'maxTokens' | 'maxRounds';

export interface RunResult {
  team: string;
  output: unknown;
  /** True when a limit ended the run early; `stoppedBy` says which. */
  partial: boolean;
  stoppedBy?: StopReason;
  usage: Usage;
  agentCalls: number;
  /** Estimated cost in USD from the prices given (TROUPE_PRICES); absent without a price for every model used. */
  costUsd?: number;
  /** The latest envelopes; `envelopeCount` counts all of them. */
  transcript: Envelope[];
  envelopeCount: number;
  state: unknown;
  continuedAsNew: number;
  /** Things a reader should know about the result, e.g. a gate that never approved. */
  warnings: string[];
}

export const progressQuery = defineQuery<RunProgress>('progress');

/** A decision on the waiting approval, fire and forget (e.g. from the Temporal UI or `temporal workflow signal`). */
export const decisionSignal = defineSignal<[ApprovalDecisionInput]>('decision');

/** A decision on the waiting approval; the caller learns at once whether it was accepted. */
export const decideUpdate = defineUpdate<DecisionReceipt, [ApprovalDecisionInput]>('decide');

/**
 * The memo key a run sets when it ignores a decision signal: the history then holds the refusal
 * (a signal cannot fail the way an update can). `signal` counts the run's decision signals from 1.
 */
export const REFUSED_DECISION_MEMO = 'troupeRefusedDecision';
export interface RefusedDecisionMemo {
  signal: number;
  refused: string;
}

/** Search attributes Troupe sets, so runs can be found in the Temporal UI and with `troupe pending`. */
export const SEARCH_ATTRIBUTES = {
  awaitingApproval: defineSearchAttributeKey('TroupeAwaitingApproval', SearchAttributeType.BOOL),
  approvalGate: defineSearchAttributeKey('TroupeApprovalGate', SearchAttributeType.KEYWORD),
  team: defineSearchAttributeKey('TroupeTeam', SearchAttributeType.KEYWORD),
  topology: defineSearchAttributeKey('TroupeTopology', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('TroupeStatus', SearchAttributeType.KEYWORD),
  tokens: defineSearchAttributeKey('TroupeTokens', SearchAttributeType.INT),
  costUsd: defineSearchAttributeKey('TroupeCostUsd', SearchAttributeType.DOUBLE),
} as const;

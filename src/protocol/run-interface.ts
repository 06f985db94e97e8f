import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecisionInput } from '../team/approval.js';
import type { DecisionReceipt } from './decision-receipt.js';
import type { RunProgress } from './run-progress.js';

/**
 * What a run answers to and writes for the outside world: its query, signal and update, the memo
 * keys and the search attributes. Free of zod on purpose: workflow code imports it, and a workflow
 * evaluates its modules afresh for every run, so every schema a module builds costs every run.
 */

export const progressQuery = defineQuery<RunProgress>('progress');

/** A decision on the waiting approval, fire and forget (e.g. from the Temporal UI or `temporal workflow signal`). */
export const decisionSignal = defineSignal<[ApprovalDecisionInput]>('decision');

/** A decision on the waiting approval; the caller learns at once whether it was accepted. */
export const decideUpdate = defineUpdate<DecisionReceipt, [ApprovalDecisionInput]>('decide');

/**
 * The memo key a run sets when it ignores a decision signal: the history then holds the refusal
 * (a signal cannot fail the way an update can). Its value is a RefusedDecisionMemo; `signal`
 * counts the run's decision signals from 1.
 */
export const REFUSED_DECISION_MEMO = 'troupeRefusedDecision';

/**
 * The memo key a run sets to leave a notice (a NoticeMemo) in its history: an optional step
 * skipped, the budget running low (cheaper models from now on), exhausted, or raised by a person.
 */
export const NOTICE_MEMO = 'troupeNotice';

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

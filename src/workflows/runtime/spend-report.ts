import {
  defineSignal,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Ledger, Spent } from './ledger/index.js';
import { isPatched } from './patches.js';

export interface SpendReport extends Spent {
  workflowId: string;
}

/** A failing sub-team's spend, sent to its parent. */
export const subteamSpentSignal = defineSignal<[SpendReport]>('troupe-subteam-spent');

/**
 * Sends a failing sub-team's spend to its parent and waits until the parent has it, so the signal
 * is in the parent's history before the sub-team's failure. Only sub-teams under a cap report.
 */
export async function reportSpendToParent(ledger: Ledger, handed: object | undefined, error: unknown): Promise<void> {
  const parent = workflowInfo().parent;
  if (
    !parent ||
    !handed ||
    Object.keys(handed).length === 0 ||
    isCancellation(error) ||
    !isPatched('troupe-subteam-spend-report')
  )
    return;
  try {
    await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(subteamSpentSignal, {
      workflowId: workflowInfo().workflowId,
      ...ledger.spent(),
    });
  } catch {
    // The parent is gone or closing: nobody is left to charge.
  }
}

/** The spends failed sub-teams reported, by workflow id, for their parent to charge. */
export function receiveSpendReports(): Map<string, Spent> {
  const reports = new Map<string, Spent>();
  setHandler(subteamSpentSignal, ({ workflowId, ...spent }) => void reports.set(workflowId, spent));
  return reports;
}

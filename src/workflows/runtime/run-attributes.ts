import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { RunSpec } from '../../protocol/run-spec.js';
import { SEARCH_ATTRIBUTES } from '../../protocol/messages.js';
import type { Ledger } from './ledger.js';

/** Runs keep status, tokens and estimated cost in search attributes since this patch. */
export const RUN_ATTRIBUTES_PATCH = 'troupe-run-status-attributes';

export type RunStatusValue = 'running' | 'awaiting-approval' | 'completed' | 'partial' | 'failed';

/**
 * Keeps a run's TroupeStatus, TroupeTokens and TroupeCostUsd search attributes current, so runs can
 * be listed and filtered (`troupe list`, the Temporal UI) by where they stand and what they spent.
 * Upserts only what changed, at the run's stage changes rather than on every call.
 */
export class RunAttributes {
  private readonly enabled: boolean;
  private status: RunStatusValue | undefined;
  private tokens = -1;
  private costUsd: number | null | undefined;

  constructor(
    run: RunSpec,
    private readonly ledger: Ledger,
  ) {
    this.enabled = run.searchAttributes && patched(RUN_ATTRIBUTES_PATCH);
  }

  update(status?: RunStatusValue): void {
    if (!this.enabled) return;
    const pairs: SearchAttributeUpdatePair[] = [];
    if (status && status !== this.status) {
      this.status = status;
      pairs.push({ key: SEARCH_ATTRIBUTES.status, value: status });
    }
    if (this.ledger.tokens !== this.tokens) {
      this.tokens = this.ledger.tokens;
      pairs.push({ key: SEARCH_ATTRIBUTES.tokens, value: this.tokens });
    }
    const cost = this.ledger.costUsd === undefined ? null : Math.round(this.ledger.costUsd * 1e6) / 1e6;
    if (cost !== this.costUsd) {
      this.costUsd = cost;
      pairs.push({ key: SEARCH_ATTRIBUTES.costUsd, value: cost });
    }
    if (pairs.length) upsertSearchAttributes(pairs);
  }
}

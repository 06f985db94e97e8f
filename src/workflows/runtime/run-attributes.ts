import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { RunSpec } from '../../protocol/run-spec.js';
import { SEARCH_ATTRIBUTES } from '../../protocol/run-interface.js';
import { workflowNow } from './clock.js';
import type { Ledger } from './ledger/index.js';
import { isPatched } from './patches.js';

/**
 * Each upsert is a history event and a write to the server's visibility store: at every stage of a
 * busy run it cost the server more than the run's own events (measured in `npm run bench`, case 3).
 */
const SPENDING_UPSERT_EVERY_MS = 10_000;

export type RunStatusValue = 'running' | 'awaiting-approval' | 'completed' | 'partial' | 'failed';

/**
 * Keeps a run's TroupeStatus, TroupeTokens and TroupeCostUsd search attributes current, so runs can
 * be listed and filtered (`troupe list`, the Temporal UI) by where they stand and what they spent.
 * Upserts only what changed: at every status change, and while running at most every 10 s as
 * spending grows (the progress query and `troupe status` show it live).
 */
export class RunAttributes {
  private readonly enabled: boolean;
  private status: RunStatusValue | undefined;
  private tokens = -1;
  private costUsd: number | null | undefined;
  private readonly throttled: boolean;
  private upsertedAt = -Infinity;

  constructor(
    run: RunSpec,
    private readonly ledger: Ledger,
  ) {
    // A run the client started with its attributes set needs no patch: it began on code that has both.
    const current = run.startAttributes === true;
    this.enabled = run.searchAttributes && (current || isPatched('troupe-run-status-attributes'));
    this.throttled = this.enabled && (current || isPatched('troupe-throttled-spending-attributes'));
    if (current) [this.status, this.tokens, this.costUsd] = ['running', 0, null];
    // Each upsert is a visibility write: at the start the client wrote them, so the clock starts there.
    if (current && run.spendingWrittenAtStart) this.upsertedAt = workflowNow();
  }

  update(status?: RunStatusValue): void {
    if (!this.enabled) return;
    const statusChanged = status !== undefined && status !== this.status;
    if (!statusChanged && this.throttled && workflowNow() - this.upsertedAt < SPENDING_UPSERT_EVERY_MS) return;
    const pairs: SearchAttributeUpdatePair[] = [];
    if (status && statusChanged) {
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
    if (pairs.length) {
      upsertSearchAttributes(pairs);
      this.upsertedAt = workflowNow();
    }
  }
}

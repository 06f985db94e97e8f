import type { PatchId } from '../patches.js';

/**
 * What the ledger asks of the run it counts for: the time, and which patched path the run takes.
 * In a workflow: workflow time, and the patch registry. In a unit test: a clock and a set of patches.
 */
export interface LedgerEnv {
  /** Now, in epoch ms (in a workflow, the time of the current activation). */
  now(): number;
  /**
   * Whether the run takes the path a patch added. The ledger asks only where its old and new paths
   * differ, and at the moment they do, so runs recorded before a patch replay as they ran.
   * A property, not a method, so the patch registry's test reads only literal ids as questions.
   */
  readonly isPatched: (id: PatchId) => boolean;
}

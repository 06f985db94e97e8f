import type { StopReason } from '../../protocol/messages.js';

/**
 * The run stops: a limit was reached. The ledger and the agent loop report a limit as a value (a
 * `limit` room or turn outcome); it becomes this throw only where a topology's work must stop, and
 * runTopology turns it into a flagged partial result, never a failure.
 */
export class LimitReached extends Error {
  /** `budget`: the run's own budget ran out (not a team limit, a round limit or a parent's allowance). */
  constructor(
    readonly reason: StopReason,
    readonly budget = false,
  ) {
    super(`limit reached: ${reason}`);
    this.name = 'LimitReached';
  }
}

import type { Usage } from '../../protocol/usage.js';

/** What a member of the team returned: an agent's (or its fallback's) answer, or a sub-team's. */
export interface MemberResult<T = unknown> {
  /** Who produced the output: the agent (or its fallback) or the sub-team. */
  from: string;
  output: T;
  usage: Usage;
  model?: string;
  childWorkflowId?: string;
  /** Set when an optional agent failed for good and was skipped: why. `output` is then undefined. */
  skipped?: string;
}

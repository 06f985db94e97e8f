import type { AgentCallResult, ToolUse } from '../../../activities/index.js';
import type { FailureType } from '../../../team/errors.js';
import type { StopReason } from '../../../protocol/messages.js';

/**
 * What one model turn of an agent call came to, and so what the loop does next:
 * - `answer`: the final answer, usable by the step: the call returns it;
 * - `tool-calls`: the model asked for tools: they run, and their results go back in the next turn;
 * - `repair`: the answer failed the agent's schema, or the decision the step reads, or the
 *   topology's check: the model is asked again, with the problem, at most maxRepairs times;
 * - `failed`: the call failed for good (after Temporal's retries): the agent's fallback, if any, takes over;
 * - `limit`: no room left in a cap or the budget: the run stops with its latest work.
 */
export type TurnOutcome =
  | { kind: 'answer'; result: AgentCallResult }
  | { kind: 'tool-calls'; uses: ToolUse[] }
  | { kind: 'repair'; problem: string; type: FailureType; text: string; conversation?: string | undefined }
  | { kind: 'failed'; error: unknown }
  | { kind: 'limit'; reason: StopReason; budget: boolean };

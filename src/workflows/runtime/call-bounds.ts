import { ActivityFailure, ApplicationFailure, TimeoutFailure, type ActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../../team/errors.js';
import type { AgentSpec, TeamSpec } from '../../team/spec.js';
import type { Usage } from '../../protocol/usage.js';
import { DELEGATE_INPUT_SCHEMA_BYTES, delegateDescription, delegateTool } from '../../protocol/delegation.js';
import type { ToolOutcome } from '../../activities/index.js';
import { agentActivityOptions } from './agent-options.js';
import { tokensAtMost } from '../../protocol/tokens-at-most.js';

export { tokensAtMost };

/**
 * The most one model call may spend: an estimate of its input (never below what the API will
 * count) plus the agent's maxTokens of output, on the agent's model or its cheaper one. A budget
 * holds this much while the call is in flight, so calls running at once cannot pass a cap.
 */
export interface CallNeed {
  inputTokens: number;
  outputTokens: number;
  models: string[];
}

/**
 * Tokens the API adds to a request beyond its text: message framing and the system prompt that
 * comes with tools (346 tokens at most in Anthropic's documentation).
 */
export const REQUEST_OVERHEAD_TOKENS = 500;

/** What an agent call may spend: its spec (system prompt, output schema, tools) and its messages, plus the overhead. */
export function callNeed(agent: AgentSpec, messages: unknown[]): CallNeed {
  const spec = {
    system: agent.system,
    output: agent.output,
    tools: agent.tools,
    serverTools: agent.serverTools,
    delegates: agent.delegates,
  };
  const inputTokens =
    REQUEST_OVERHEAD_TOKENS +
    tokensAtMost(spec) +
    messages.reduce<number>((sum, m) => sum + (m === undefined ? 0 : tokensAtMost(m)), 0);
  return {
    inputTokens,
    outputTokens: agent.maxTokens,
    models: agent.cheaperModel === undefined ? [agent.model] : [agent.model, agent.cheaperModel],
  };
}

/**
 * What the next turn of a tool loop may spend: the whole conversation goes again, so its input is at
 * most the last turn's input (as the API counted it) and output, the tool results and the repair note.
 */
export function nextTurnNeed(
  agent: AgentSpec,
  last: Usage,
  toolResults: ToolOutcome[] | undefined,
  repair: unknown,
): CallNeed {
  const lastInput = last.inputTokens + last.cacheReadTokens + last.cacheWriteTokens;
  const results = (toolResults ?? []).reduce(
    (sum, r) =>
      sum + Math.max(r.bytes, r.content === undefined ? 0 : tokensAtMost(r.content)) + tokensAtMost(r.toolUseId),
    0,
  );
  const inputTokens =
    REQUEST_OVERHEAD_TOKENS +
    lastInput +
    last.outputTokens +
    results +
    (repair === undefined ? 0 : tokensAtMost(repair));
  return { ...callNeed(agent, []), inputTokens };
}

/**
 * The tools a delegating agent is given besides its own (one `delegate_<member>` per member it may
 * delegate to), at most: their names, descriptions and input schema, as the worker builds them.
 */
export function delegateToolsAtMost(agent: AgentSpec, team: TeamSpec): number {
  return agent.delegates.reduce((sum, member) => {
    const who = team.agents.find((a) => a.name === member)?.role ?? 'a sub-team of this team';
    // The definition as the request carries it, with the schema's bytes in place of the schema.
    return (
      sum +
      tokensAtMost({
        type: 'custom',
        name: delegateTool(member),
        input_schema: null,
        description: delegateDescription(member, who),
      }) +
      DELEGATE_INPUT_SCHEMA_BYTES
    );
  }, 0);
}

/** The activity options that stop a call at the run's time cap: its schedule-to-close, at most the time left. */
export function stopAtDeadline(
  agent: AgentSpec,
  team: TeamSpec,
  timeLeft: number | undefined,
): Pick<ActivityOptions, 'scheduleToCloseTimeout'> {
  if (timeLeft === undefined) return {};
  return { scheduleToCloseTimeout: Math.max(1, Math.min(totalTimeout(agent, team), timeLeft)) };
}

/** Whether the time cap, not the agent's own total timeout, bounds a call scheduled with `timeLeft` (see stopAtDeadline). */
export function cutByTimeCap(agent: AgentSpec, team: TeamSpec, timeLeft: number | undefined): boolean {
  return timeLeft !== undefined && timeLeft <= totalTimeout(agent, team);
}

function totalTimeout(agent: AgentSpec, team: TeamSpec): number {
  return agentActivityOptions(agent, team).scheduleToCloseTimeout as number;
}

/**
 * Whether a call failed because its time ran out: Temporal's timeout, or the model client's own,
 * which gives up a little before the attempt's time (bounded by the time cap) runs out.
 */
export function timedOut(error: unknown): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  return (
    error.cause instanceof TimeoutFailure ||
    (error.cause instanceof ApplicationFailure && error.cause.type === FailureType.ModelTimeout)
  );
}

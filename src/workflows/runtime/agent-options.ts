import type { ActivityOptions } from '@temporalio/workflow';
import type { z } from 'zod';
import type { RetrySpecSchema } from '../../team/retry.js';
import type { AgentSpec, TeamSpec } from '../../team/spec.js';
import { withoutUndefined } from '../../team/without-undefined.js';

/** An agent call's default bound across all its attempts, so rate-limit bursts of minutes are ridden out. */
const DEFAULT_TOTAL_TIMEOUT_MS = 600_000;

/**
 * A tool or MCP call's heartbeat timeout when its definition names none: a dead worker's call is retried in seconds.
 * Here, not in team/duration.ts: workflow code must not load zod at a run's start (run-start-modules.test.ts).
 */
const DEFAULT_TOOL_HEARTBEAT_MS = 10_000;

/** The activity options of an agent's model calls: its timeouts, retry policy and task queue. */
export function agentActivityOptions(agent: AgentSpec, team: TeamSpec): ActivityOptions {
  return {
    startToCloseTimeout: agent.timeout,
    heartbeatTimeout: agent.heartbeatTimeout,
    scheduleToCloseTimeout: agent.totalTimeout ?? Math.max(DEFAULT_TOTAL_TIMEOUT_MS, 3 * agent.timeout),
    // Unset, not undefined, means Temporal's own default (unlimited attempts).
    retry: withoutUndefined(agent.retry),
    ...agentTaskQueue(agent, team),
  };
}

/**
 * Where an agent's calls run: its own task queue, else its team's, else (no option at all, so the
 * commands of runs without one are unchanged) the workflow's. Its tool and MCP calls go to the same
 * queue, so the pool that serves its model calls, with its tools and connections, serves them too.
 */
export function agentTaskQueue(agent: AgentSpec, team: TeamSpec): { taskQueue?: string } {
  const taskQueue = agent.taskQueue ?? team.taskQueue;
  return taskQueue === undefined ? {} : { taskQueue };
}

/**
 * The activity options of a tool or MCP call: its timeout and retry policy, on its agent's queue,
 * with a heartbeat timeout (unless the tool turns it off, or it would not be shorter than the timeout)
 * so that a call whose worker died is retried in seconds.
 */
export function toolActivityOptions(
  call: { timeout: number; retry: z.infer<typeof RetrySpecSchema>; heartbeatTimeout?: number | false | undefined },
  agent: AgentSpec,
  team: TeamSpec,
): ActivityOptions {
  const heartbeat = call.heartbeatTimeout === false ? undefined : (call.heartbeatTimeout ?? DEFAULT_TOOL_HEARTBEAT_MS);
  return {
    startToCloseTimeout: call.timeout,
    ...(heartbeat !== undefined && heartbeat < call.timeout ? { heartbeatTimeout: heartbeat } : {}),
    retry: withoutUndefined(call.retry),
    ...agentTaskQueue(agent, team),
  };
}

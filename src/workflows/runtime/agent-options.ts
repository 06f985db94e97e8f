import type { ActivityOptions } from '@temporalio/workflow';
import type { AgentSpec, TeamSpec } from '../../team/spec.js';
import { withoutUndefined } from '../../team/without-undefined.js';

/** An agent call's default bound across all its attempts, so rate-limit bursts of minutes are ridden out. */
const DEFAULT_TOTAL_TIMEOUT_MS = 600_000;

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

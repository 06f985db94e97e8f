import type { ActivityOptions } from '@temporalio/workflow';
import type { AgentSpec } from '../../team/index.js';

/** An agent call's default bound across all its attempts, so rate-limit bursts of minutes are ridden out. */
const DEFAULT_TOTAL_TIMEOUT_MS = 600_000;

/** The activity options of an agent's model calls: its timeouts and retry policy. */
export function agentActivityOptions(agent: AgentSpec): ActivityOptions {
  return {
    startToCloseTimeout: agent.timeout,
    heartbeatTimeout: agent.heartbeatTimeout,
    scheduleToCloseTimeout: agent.totalTimeout ?? Math.max(DEFAULT_TOTAL_TIMEOUT_MS, 3 * agent.timeout),
    retry: withoutUndefined(agent.retry),
  };
}

/** Temporal's options do not accept an explicit undefined (unset means its own default: unlimited attempts). */
export function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

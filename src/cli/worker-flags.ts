// Not the workers index: the CLI reads these settings at start, before Temporal's runtime is loaded.
import { CLI_SHUTDOWN_GRACE, parseWorkerLimits, type WorkerLimits } from '../workers/worker-limits.js';

/** Each worker limit as a flag of `troupe worker` / `troupe dev` and as an environment variable (the flag wins). */
export const WORKER_LIMIT_SETTINGS = [
  {
    key: 'maxConcurrentCalls',
    flag: '--max-concurrent-calls <n>',
    env: 'TROUPE_MAX_CONCURRENT_CALLS',
    help: 'agent calls (model turns, tool calls) this worker runs at once (default 100)',
  },
  {
    key: 'maxConcurrentWorkflowTasks',
    flag: '--max-concurrent-workflow-tasks <n>',
    env: 'TROUPE_MAX_CONCURRENT_WORKFLOW_TASKS',
    help: 'workflow tasks this worker runs at once, at least 2 (default 40)',
  },
  {
    key: 'queueCallsPerSecond',
    flag: '--queue-calls-per-second <n>',
    env: 'TROUPE_QUEUE_CALLS_PER_SECOND',
    help: 'agent calls per second across all workers of the task queue; give every worker of the queue the same (default unlimited)',
  },
  {
    key: 'workerCallsPerSecond',
    flag: '--worker-calls-per-second <n>',
    env: 'TROUPE_WORKER_CALLS_PER_SECOND',
    help: 'agent calls per second this worker starts (default unlimited)',
  },
  {
    key: 'shutdownGrace',
    flag: '--shutdown-grace <duration>',
    env: 'TROUPE_SHUTDOWN_GRACE',
    help: 'on SIGTERM or Ctrl-C, how long in-flight calls may finish before they are handed back to Temporal, e.g. 30s, 2m, 0 (default 30s)',
  },
] as const;

export type WorkerLimitFlags = Partial<Record<(typeof WORKER_LIMIT_SETTINGS)[number]['key'], string>>;

/** The limits given by flags, else by environment variables, validated (bad ones name the flag or variable used). */
export function workerLimitsFrom(flags: WorkerLimitFlags, env: NodeJS.ProcessEnv = process.env): WorkerLimits {
  const source = new Map<string, string>();
  const input: Record<string, unknown> = {};
  for (const { key, flag, env: name } of WORKER_LIMIT_SETTINGS) {
    const fromFlag = flags[key];
    const value = fromFlag ?? env[name];
    if (value === undefined || value === '') continue;
    source.set(key, fromFlag !== undefined ? (flag.split(' ')[0] ?? key) : name);
    // Numbers stay numbers ("1500" is milliseconds); anything else is left for the schema to judge.
    input[key] = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  }
  return parseWorkerLimits({ shutdownGrace: CLI_SHUTDOWN_GRACE, ...input }, (key) => source.get(key) ?? key);
}

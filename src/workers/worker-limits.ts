import type { WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';
import { DurationSchema, type Duration } from '../team/index.js';
import { withoutUndefined } from '../team/without-undefined.js';
import { WorkerError } from './errors.js';

/** How much one worker takes on, how fast its task queue dispatches, and how it stops. */
export interface WorkerLimits {
  /** Agent calls (model turns, tool and MCP calls) this worker runs at once. Temporal's maxConcurrentActivityTaskExecutions; default 100. */
  maxConcurrentCalls?: number;
  /** Workflow tasks this worker runs at once (at least 2). Temporal's maxConcurrentWorkflowTaskExecutions; default 40. */
  maxConcurrentWorkflowTasks?: number;
  /**
   * Agent calls per second the task queue hands out across all its workers, enforced by the
   * Temporal server (maxTaskQueueActivitiesPerSecond): give every worker of the queue the same value.
   */
  queueCallsPerSecond?: number;
  /** Agent calls per second this worker starts (maxActivitiesPerSecond). */
  workerCallsPerSecond?: number;
  /**
   * How long a stopping worker lets in-flight agent calls finish; then it cancels them and Temporal
   * retries them on another worker (shutdownGraceTime). Default: Temporal's 0, which hands them back
   * at once (`troupe worker` and `troupe dev` default to 30s).
   */
  shutdownGrace?: Duration;
}

/** The shutdown grace of `troupe worker` and `troupe dev` unless told otherwise. */
export const CLI_SHUTDOWN_GRACE = '30s';
/** After the grace, cancelled calls have this long to hand back before the worker stops waiting for them. */
const HAND_BACK_MS = 10_000;

const count = (min: number, example: string) =>
  z
    .number({ error: `use a whole number of at least ${min}, e.g. ${example}` })
    .int(`use a whole number of at least ${min}, e.g. ${example}`)
    .min(min, `use a whole number of at least ${min}, e.g. ${example}`);
const rate = z
  .number({ error: 'use a number of calls per second above 0, e.g. 2 or 0.5' })
  .positive('use a number of calls per second above 0, e.g. 2 or 0.5')
  .finite();

export const WorkerLimitsSchema = z
  .object({
    maxConcurrentCalls: count(1, '10').optional(),
    // Temporal needs two when workflows are cached (a worker keeps them so as not to replay at every task).
    maxConcurrentWorkflowTasks: count(2, '10').optional(),
    queueCallsPerSecond: rate.optional(),
    workerCallsPerSecond: rate.optional(),
    shutdownGrace: z
      .union([z.literal(0), z.literal('0'), DurationSchema], {
        error: 'use a duration such as 30s, 2m or 1500 (milliseconds), or 0',
      })
      .optional(),
  })
  .strict();

/** Validated limits, or a WorkerError naming each bad one (`where` says how the user set it). */
export function parseWorkerLimits(
  input: Record<string, unknown>,
  where: (key: string) => string = (key) => key,
): WorkerLimits {
  const parsed = WorkerLimitsSchema.safeParse(input);
  if (parsed.success) return withoutUndefined(parsed.data);
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path[0];
    return key === undefined
      ? issue.message
      : `${where(String(key))} ${JSON.stringify(input[String(key)])}: ${issue.message}`;
  });
  throw new WorkerError('INVALID_WORKER_LIMIT', `Invalid worker limit: ${problems.join('; ')}.`);
}

/** The Temporal worker options for these limits; with a shutdown grace, a bound on the wait after it. */
export function workerLimitOptions(limits: WorkerLimits = {}): Partial<WorkerOptions> {
  const parsed = parseWorkerLimits({ ...limits });
  const graceMs = shutdownGraceMs(parsed);
  return {
    ...(parsed.maxConcurrentCalls !== undefined
      ? { maxConcurrentActivityTaskExecutions: parsed.maxConcurrentCalls }
      : {}),
    ...(parsed.maxConcurrentWorkflowTasks !== undefined
      ? { maxConcurrentWorkflowTaskExecutions: parsed.maxConcurrentWorkflowTasks }
      : {}),
    ...(parsed.queueCallsPerSecond !== undefined
      ? { maxTaskQueueActivitiesPerSecond: parsed.queueCallsPerSecond }
      : {}),
    ...(parsed.workerCallsPerSecond !== undefined ? { maxActivitiesPerSecond: parsed.workerCallsPerSecond } : {}),
    // A call that ignores its cancellation must not keep a stopping worker alive for ever.
    ...(parsed.shutdownGrace !== undefined
      ? { shutdownGraceTime: graceMs, shutdownForceTime: graceMs + HAND_BACK_MS }
      : {}),
  };
}

/** The effective limits in one line, Temporal's defaults named. */
export function describeWorkerLimits(limits: WorkerLimits = {}): string {
  const perSecond = (n: number | undefined) => (n === undefined ? 'unlimited' : `${n}/s`);
  return [
    `${limits.maxConcurrentCalls ?? 100} concurrent agent calls`,
    `${limits.maxConcurrentWorkflowTasks ?? 40} concurrent workflow tasks`,
    `calls ${perSecond(limits.queueCallsPerSecond)} on the task queue, ${perSecond(limits.workerCallsPerSecond)} on this worker`,
    `shutdown grace ${shutdownGraceMs(limits) / 1000}s`,
  ].join('; ');
}

/** The shutdown grace in milliseconds (Temporal's default is 0). */
export function shutdownGraceMs(limits: WorkerLimits): number {
  const grace = limits.shutdownGrace;
  return grace === undefined || grace === 0 || grace === '0' ? 0 : DurationSchema.parse(grace);
}

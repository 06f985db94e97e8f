import { describe, expect, it } from 'vitest';
import { describeWorkerLimits, parseWorkerLimits } from '../../src/workers/index.js';
import { workerLimitOptions } from '../../src/workers/worker-limits.js';
import { workerLimitsFrom } from '../../src/cli/worker-flags.js';
import { troupe } from '../support/cli.js';

describe('worker limits', () => {
  it("map to Temporal worker options (Temporal's defaults when unset), a shutdown grace with a bounded wait after it", () => {
    expect(workerLimitOptions()).toEqual({});
    expect(
      workerLimitOptions({
        maxConcurrentCalls: 8,
        maxConcurrentWorkflowTasks: 4,
        queueCallsPerSecond: 2,
        workerCallsPerSecond: 0.5,
        shutdownGrace: '2m',
      }),
    ).toEqual({
      maxConcurrentActivityTaskExecutions: 8,
      maxConcurrentWorkflowTaskExecutions: 4,
      maxTaskQueueActivitiesPerSecond: 2,
      maxActivitiesPerSecond: 0.5,
      shutdownGraceTime: 120_000,
      shutdownForceTime: 130_000,
    });
    expect(workerLimitOptions({ shutdownGrace: 0 })).toMatchObject({ shutdownGraceTime: 0, shutdownForceTime: 10_000 });
  });

  it('are described in one start-up line, Temporal defaults named', () => {
    expect(describeWorkerLimits({})).toBe(
      '100 concurrent agent calls; 40 concurrent workflow tasks; calls unlimited on the task queue, unlimited on this worker; shutdown grace 0s',
    );
    expect(describeWorkerLimits({ maxConcurrentCalls: 5, queueCallsPerSecond: 2, shutdownGrace: '1s' })).toBe(
      '5 concurrent agent calls; 40 concurrent workflow tasks; calls 2/s on the task queue, unlimited on this worker; shutdown grace 1s',
    );
  });

  it('refuse bad values, naming each and the fix', () => {
    const error = (() => {
      try {
        parseWorkerLimits({
          maxConcurrentCalls: 0,
          maxConcurrentWorkflowTasks: 1,
          queueCallsPerSecond: -2,
          shutdownGrace: 'soon',
          surprise: 1,
        });
      } catch (e) {
        return e as Error & { code?: string };
      }
      return undefined;
    })();
    expect(error?.code).toBe('INVALID_WORKER_LIMIT');
    expect(error?.message).toContain('maxConcurrentCalls 0: use a whole number of at least 1, e.g. 10');
    expect(error?.message).toContain('maxConcurrentWorkflowTasks 1: use a whole number of at least 2');
    expect(error?.message).toContain('queueCallsPerSecond -2: use a number of calls per second above 0');
    expect(error?.message).toContain(
      'shutdownGrace "soon": use a duration such as 30s, 2m or 1500 (milliseconds), or 0',
    );
    expect(error?.message).toContain('surprise');
  });

  it('come from flags, else environment variables (the CLI stops with a 30 s grace by default), and an error names the one used', () => {
    const env = {
      TROUPE_MAX_CONCURRENT_CALLS: '4',
      TROUPE_QUEUE_CALLS_PER_SECOND: '1.5',
      TROUPE_SHUTDOWN_GRACE: '1500',
    };
    expect(workerLimitsFrom({ maxConcurrentCalls: '6' }, env)).toEqual({
      maxConcurrentCalls: 6,
      queueCallsPerSecond: 1.5,
      shutdownGrace: 1500,
    });
    expect(workerLimitsFrom({}, {})).toEqual({ shutdownGrace: 30_000 });
    expect(() => workerLimitsFrom({}, { TROUPE_WORKER_CALLS_PER_SECOND: 'fast' })).toThrow(
      'TROUPE_WORKER_CALLS_PER_SECOND "fast": use a number of calls per second above 0',
    );
    expect(() => workerLimitsFrom({ maxConcurrentCalls: '2.5' }, env)).toThrow(
      '--max-concurrent-calls 2.5: use a whole number of at least 1',
    );
  });

  it('troupe worker refuses a bad limit before connecting: one line, exit code 2', async () => {
    const { code, stderr } = await troupe(['worker', '--shutdown-grace', 'later'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(stderr.trim()).toBe(
      'troupe: Invalid worker limit: --shutdown-grace "later": use a duration such as 30s, 2m or 1500 (milliseconds), or 0.',
    );
    expect(code).toBe(2);
  });
});

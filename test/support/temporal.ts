import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { WORKFLOWS_PATH } from '../../src/workers/index.js';
import { resolveTemporalBinary, TROUPE_SEARCH_ATTRIBUTES } from '../../src/hosting/index.js';

/** The real time-skipping test server, found like Troupe finds it (env var, PATH, SDK download). */
export function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: resolveTemporalBinary('time-skipping') } });
}

/** The real Temporal CLI dev server, without UI. */
export function devServerEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: resolveTemporalBinary('dev-server'), log: { format: 'pretty', level: 'error' }, searchAttributes: TROUPE_SEARCH_ATTRIBUTES },
  });
}

/** One workflow bundle per test file. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

const noop = (): void => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

/**
 * One real Temporal server and one workflow bundle for a test file, started before its tests and
 * torn down after them: `const temporal = useTemporal('time-skipping')`, then `temporal.env`.
 */
export function useTemporal(kind: 'time-skipping' | 'dev-server'): { env: TestWorkflowEnvironment; bundle: WorkflowBundle } {
  const shared = {} as { env: TestWorkflowEnvironment; bundle: WorkflowBundle };
  beforeAll(async () => {
    [shared.env, shared.bundle] = await Promise.all([kind === 'time-skipping' ? timeSkippingEnvironment() : devServerEnvironment(), bundleWorkflows()]);
  });
  afterAll(async () => {
    await shared.env?.teardown();
  });
  return shared;
}

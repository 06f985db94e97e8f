import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { WORKFLOWS_PATH } from '../../src/workers/index.js';
import { resolveTemporalBinary, TROUPE_SEARCH_ATTRIBUTES } from '../../src/hosting/index.js';
import { loggedServer } from './temporal-logs.js';

/**
 * The real time-skipping test server, found like Troupe finds it (env var, PATH, SDK download); its
 * output goes to the test file's Temporal log (temporal-logs.ts).
 */
export function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: loggedServer(resolveTemporalBinary('time-skipping'), 'time-skipping').executable },
  });
}

/** The real Temporal CLI dev server, without UI; its output, warnings included, goes to the test file's Temporal log. */
export function devServerEnvironment(): Promise<TestWorkflowEnvironment> {
  const { executable, logged } = loggedServer(resolveTemporalBinary('dev-server'), 'dev-server');
  // Its warnings too when they go to the log; only errors when it prints to the terminal (outside vitest).
  const level = logged ? 'warn' : 'error';
  return TestWorkflowEnvironment.createLocal({
    server: { executable, log: { format: 'pretty', level }, searchAttributes: TROUPE_SEARCH_ATTRIBUTES },
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
export function useTemporal(kind: 'time-skipping' | 'dev-server'): {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundle;
} {
  const shared = {} as { env: TestWorkflowEnvironment; bundle: WorkflowBundle };
  beforeAll(async () => {
    [shared.env, shared.bundle] = await Promise.all([
      kind === 'time-skipping' ? timeSkippingEnvironment() : devServerEnvironment(),
      bundleWorkflows(),
    ]);
  });
  afterAll(async () => {
    await shared.env?.teardown();
  });
  return shared;
}

import { Runtime } from '@temporalio/worker';
import { beforeEach, expect } from 'vitest';
import { markTest, openTemporalLog, temporalLogger } from './temporal-logs.js';

// Each test file runs in a process of its own (forks pool, isolated). What its workers, the SDK's core
// and its servers log goes to the file's Temporal log, not the terminal: expected failures make the
// SDK warn, and the time-skipping server lacks a capability core warns about at each worker's start.
// The failed-tests reporter prints the log's parts for failed tests.
// Offline workers (and the CLI processes tests start, which inherit this) answer at once unless a
// test asks for the demo's word-by-word pace: streamed text is tested where it is the subject.
process.env['TROUPE_OFFLINE_TOKEN_MS'] ??= '0';
const log = openTemporalLog(expect.getState().testPath ?? 'unknown.test.ts');
try {
  Runtime.install({
    logger: temporalLogger(log),
    // Core's own lines (Rust) go through the same logger instead of straight to stderr.
    telemetryOptions: { logging: { forward: {}, filter: { core: 'INFO', other: 'WARN' } } },
  });
} catch {
  // Already installed in this process.
}

beforeEach(({ task }) => markTest(log, task.id, task.fullTestName ?? task.name));

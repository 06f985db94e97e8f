import type { Reporter, TestModule } from 'vitest/node';
import { readTemporalLog, removeTemporalLog, type TemporalLog } from './temporal-logs.js';

/** The most lines of a Temporal log printed for one part (what came before the tests, or one test). */
const LOG_LINES = 60;

/**
 * Ends a run with the names of the tests that failed (and of files that failed outside any test, in
 * a hook or at load), one per line, then one closing count: a reader of a long run, or of a CI log,
 * finds what broke in its last lines instead of scrolling back through the reports.
 *
 * Before them, for each file with a failure, its Temporal log (temporal-logs.ts): what its servers
 * printed while they started, then what its workers, the SDK's core and its servers logged during
 * each failed test (all of it when the file failed outside its tests). The logs of files whose tests
 * all passed are deleted unread.
 */
export default class FailedTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const failed: string[] = [];
    const logs: string[] = [];
    let passed = 0;
    let skipped = 0;
    for (const module of testModules) {
      const before = failed.length;
      const failedIds: string[] = [];
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'failed') {
          failed.push(`${module.relativeModuleId} > ${test.fullName}`);
          failedIds.push(test.id);
        } else if (state === 'passed') passed += 1;
        else skipped += 1;
      }
      const failedOutside = module.state() === 'failed' && failed.length === before;
      if (failedOutside)
        failed.push(`${module.relativeModuleId} (the file failed outside its tests: see its errors above)`);
      const log = readTemporalLog(module.moduleId);
      if (!log) continue;
      if (failed.length === before) removeTemporalLog(module.moduleId);
      else logs.push(...printLog(module, log, failedOutside ? undefined : failedIds));
    }
    const lines = failed.length
      ? [...logs, '', `Failed (${failed.length}):`, ...failed.map((name) => `  ${name}`)]
      : [''];
    lines.push(`Tests: ${passed} passed, ${failed.length} failed${skipped ? `, ${skipped} skipped` : ''}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

/** The parts of a file's log for its failed tests (or its tail, if the file failed outside them); nothing if it logged nothing. */
function printLog(module: TestModule, log: TemporalLog, failedIds: string[] | undefined): string[] {
  if (log.lines.length === 0) return [];
  const names = new Map([...module.children.allTests()].map((test) => [test.id, test.fullName]));
  const parts: Array<[string, string[]]> = failedIds
    ? [
        ['before its tests', log.before],
        ...failedIds.map((id): [string, string[]] => [`during "${names.get(id)}"`, log.tests.get(id) ?? []]),
      ]
    : [['its end', log.lines]];
  const out = ['', `Temporal log of ${module.relativeModuleId} (the whole log: ${log.path})`];
  for (const [when, lines] of parts) {
    if (lines.length === 0) continue;
    const shown = lines.slice(-LOG_LINES);
    const cut = lines.length - shown.length;
    out.push(
      `  ${when}${cut ? ` (last ${shown.length} of ${lines.length} lines)` : ''}:`,
      ...shown.map((line) => `    ${line}`),
    );
  }
  return out.length > 2 ? out : [];
}

import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends a run with the names of the tests that failed (and of files that failed outside any test, in
 * a hook or at load), one per line, then one closing count: a reader of a long run, or of a CI log,
 * finds what broke in its last lines instead of scrolling back through the reports.
 */
export default class FailedTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const failed: string[] = [];
    let passed = 0;
    let skipped = 0;
    for (const module of testModules) {
      const before = failed.length;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'failed') failed.push(`${module.relativeModuleId} > ${test.fullName}`);
        else if (state === 'passed') passed += 1;
        else skipped += 1;
      }
      if (module.state() === 'failed' && failed.length === before) failed.push(`${module.relativeModuleId} (the file failed outside its tests: see its errors above)`);
    }
    const lines = failed.length ? ['', `Failed (${failed.length}):`, ...failed.map((name) => `  ${name}`)] : [''];
    lines.push(`Tests: ${passed} passed, ${failed.length} failed${skipped ? `, ${skipped} skipped` : ''}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

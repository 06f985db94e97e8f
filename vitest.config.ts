import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    // Each file starts its own Temporal server; two at a time fits a 2-core machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The default report, then the names of any failed tests as the run's last lines.
    reporters: ['default', './test/support/failed-tests-reporter.ts'],
  },
});

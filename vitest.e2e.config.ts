import { defineConfig } from 'vitest/config';

// End-to-end tests in a real browser (Debian's Chromium): `npm run test:e2e`, run by .ci/run after npm test.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    // Each file starts a dev server, its UI and Chromium: one at a time on a 2-core machine (the dev
    // server must answer within the SDK's 5 s start-up limit).
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

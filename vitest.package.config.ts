import { defineConfig } from 'vitest/config';

// The package as a new user meets it: packed, installed into a scratch project, scaffolded, run.
// Needs the npm registry (for the peer dependencies); run by .ci/run after npm test.
export default defineConfig({
  test: {
    include: ['test/package/**/*.pkg.ts'],
    pool: 'forks',
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});

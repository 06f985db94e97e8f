import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import troupe from './eslint-rules/no-import-cycle.js';

// Workflow and team code runs in Temporal's deterministic sandbox (and is replayed): it may not
// reach the outside world except through @temporalio/workflow.
const deterministicImports = {
  paths: [
    { name: '@anthropic-ai/sdk', message: 'Model calls belong in src/activities.' },
    { name: '@temporalio/activity', message: 'Workflow code cannot use activity APIs.' },
    { name: '@temporalio/client', message: 'Workflow code cannot use the client.' },
    { name: '@temporalio/worker', message: 'Workflow code cannot use the worker.' },
    { name: '@temporalio/testing', message: 'Workflow code cannot use testing APIs.' },
    ...['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'timers', 'timers/promises'].map(
      (name) => ({
        name,
        message: 'Node built-ins are not deterministic: use @temporalio/workflow APIs.',
      }),
    ),
  ],
  patterns: [
    { group: ['node:*'], message: 'Node built-ins are not deterministic: use @temporalio/workflow APIs.' },
    {
      group: ['**/activities/*', '!**/activities/index.js'],
      message: 'Import activity types from src/activities/index.js.',
    },
    {
      group: ['**/protocol/agent-fingerprint.js', '**/protocol/build-run-spec.js'],
      allowTypeImports: true,
      message: 'Fingerprints are hashed with node:crypto, by clients and workers, not by workflow code.',
    },
    {
      group: ['**/workers/**', '**/client/**', '**/cli/**', '**/hosting/**', '**/testing/**', '**/codec/**'],
      message: 'Workflow code cannot import workers, hosting, client, CLI, testing or codec code.',
    },
  ],
};

// Imports point one way: cli/testing → client/workers → hosting, workflows → activities → protocol → team.
const layer = (...forbidden) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: forbidden.map((folder) => `**/${folder}/**`),
          allowTypeImports: true,
          message: `This layer may not import from ${forbidden.join(', ')}: see docs/architecture.md.`,
        },
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/', '.troupe/', 'scratch/', 'test-results/', 'dist/', 'templates/', 'docs/api/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            'eslint.config.js',
            'eslint-rules/*.js',
            'bin/*.js',
            'scripts/*.mjs',
            'src/codec/*.cjs',
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // No import circles in src/, type-only imports included (see eslint-rules/no-import-cycle.js for why not import-x/no-cycle).
  { files: ['src/**/*.ts'], plugins: { troupe }, rules: { 'troupe/no-import-cycle': 'error' } },
  {
    files: ['src/protocol/**/*.ts'],
    rules: layer('workflows', 'activities', 'workers', 'hosting', 'client', 'cli', 'testing'),
  },
  { files: ['src/activities/**/*.ts'], rules: layer('workflows', 'workers', 'hosting', 'client', 'cli', 'testing') },
  // The payload codec sits beside the SDK's data converter: clients, workers, hosting and the CLI use it.
  {
    files: ['src/codec/**/*.ts'],
    rules: layer('workflows', 'activities', 'workers', 'hosting', 'client', 'cli', 'testing'),
  },
  { files: ['src/hosting/**/*.ts'], rules: layer('workflows', 'activities', 'workers', 'client', 'cli', 'testing') },
  { files: ['src/workers/**/*.ts'], rules: layer('client', 'cli', 'testing') },
  { files: ['src/client/**/*.ts'], rules: layer('activities', 'workers', 'cli', 'testing') },
  { files: ['src/testing/**/*.ts'], rules: layer('cli') },
  {
    files: ['src/workflows/**/*.ts', 'src/team/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { ...deterministicImports, paths: deterministicImports.paths.map((p) => ({ ...p, allowTypeImports: true })) },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'process', message: 'Workflow code cannot read the process environment.' },
        { name: 'fetch', message: 'I/O belongs in activities.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use uuid4() from @temporalio/workflow.' },
      ],
    },
  },
  {
    // A workflow evaluates its modules afresh for every run, so zod and any module that builds zod
    // schemas when it loads cost every run's start (see docs/benchmark.md). Workflows import
    // zod-free modules, and load a schema with import() only when a run needs it; types are free to
    // import. test/workflows/run-start-modules.test.ts checks what a run's start evaluates.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...deterministicImports.paths.map((p) => ({ ...p, allowTypeImports: true })),
            {
              name: '@temporalio/workflow',
              importNames: ['patched', 'deprecatePatch'],
              message: 'Ask through isPatched() of runtime/patches.ts, where every patch is listed.',
            },
          ],
          patterns: [
            ...deterministicImports.patterns,
            {
              group: [
                'zod',
                '**/team/index.js',
                '**/team/spec.js',
                '**/team/approval.js',
                '**/team/approval-decision.js',
                '**/team/budget.js',
                '**/team/budget-raise.js',
                '**/team/decisions.js',
                '**/team/verdict.js',
                '**/team/agent-output.js',
                '**/team/reference-tags.js',
                '**/team/references.js',
                '**/team/roles.js',
                '**/protocol/index.js',
                '**/protocol/messages.js',
                '**/protocol/awaiting-approval.js',
                '**/protocol/run-progress.js',
                '**/protocol/decision-receipt.js',
                '**/protocol/run-spec.js',
                '**/protocol/envelope.js',
                '**/protocol/usage-schema.js',
                '**/protocol/delegation-input.js',
              ],
              allowTypeImports: true,
              message:
                'zod, and modules that build zod schemas, would cost every run: import a zod-free module (protocol/run-interface.js, team/budget-gate.js, ...), or load the schema with import() where a run needs it.',
            },
          ],
        },
      ],
    },
  },
  {
    // The team language is the bottom layer: deterministic, and it imports nothing else of Troupe.
    files: ['src/team/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: deterministicImports.paths.map((p) => ({ ...p, allowTypeImports: true })),
          patterns: [
            ...deterministicImports.patterns,
            { group: ['../**'], message: 'The team language imports nothing else of Troupe.' },
          ],
        },
      ],
    },
  },
);

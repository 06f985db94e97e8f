import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Workflow and team code runs in Temporal's deterministic sandbox (and is replayed): it may not
// reach the outside world except through @temporalio/workflow.
const deterministicImports = {
  paths: [
    { name: '@anthropic-ai/sdk', message: 'Model calls belong in src/activities.' },
    { name: '@temporalio/activity', message: 'Workflow code cannot use activity APIs.' },
    { name: '@temporalio/client', message: 'Workflow code cannot use the client.' },
    { name: '@temporalio/worker', message: 'Workflow code cannot use the worker.' },
    { name: '@temporalio/testing', message: 'Workflow code cannot use testing APIs.' },
    ...['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'timers', 'timers/promises'].map((name) => ({
      name,
      message: 'Node built-ins are not deterministic: use @temporalio/workflow APIs.',
    })),
  ],
  patterns: [
    { group: ['node:*'], message: 'Node built-ins are not deterministic: use @temporalio/workflow APIs.' },
    { group: ['**/activities/*', '!**/activities/index.js'], message: 'Import activity types from src/activities/index.js.' },
    { group: ['**/workers/**', '**/client/**'], message: 'Workflow code cannot import workers or client code.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.troupe/', 'scratch/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/team/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { ...deterministicImports, paths: deterministicImports.paths.map((p) => ({ ...p, allowTypeImports: true })) }],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'process', message: 'Workflow code cannot read the process environment.' },
        { name: 'fetch', message: 'I/O belongs in activities.' },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use uuid4() from @temporalio/workflow.' }],
    },
  },
);

// The pool teams, loaded slowly and saying so first: a test can signal a worker while it starts.
process.stdout.write('Loading the teams slowly.\n');
await new Promise((resolve) => setTimeout(resolve, 3_000));
export * from './pool-teams.js';

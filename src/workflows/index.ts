// Every export here becomes a workflow type, one per topology: export workflow functions only.
export { debate } from './debate.js';
export { handoff } from './handoff.js';
export { pipeline } from './pipeline.js';
export { router } from './router.js';
export { supervisor } from './supervisor.js';
export { swarm } from './swarm.js';

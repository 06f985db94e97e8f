// Every export here becomes a workflow type: export workflow functions only.
export { pipeline } from './pipeline.js';

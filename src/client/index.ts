export { TroupeClient, RunHandle, type RunEvent, type RunStatus, type StartOptions } from './troupe-client.js';
export { describeFailure, type RunFailure } from './failure.js';
export type { RunProgress, RunResult } from '../workflows/messages.js';
export { progressQuery } from '../workflows/messages.js';

export { createTroupeWorker, WORKFLOWS_PATH, type TroupeWorkerOptions } from './create-worker.js';
export { createFileAnswerJournal, answerKey, type AnswerJournal } from '../activities/index.js';
export { connectFromEnv } from './connect-from-env.js';
export { createModelClient, verifyModelAccess, type ModelClient } from './model-client.js';
export { loadTeamsModule, EXAMPLE_TEAMS, type TeamsModule } from './teams-module.js';
export { replayHistoryFile, type ReplayOutcome } from './replay.js';
export { payloadDataConverter, describePayloadEncryption } from '../codec/index.js';
export { installRuntime, tracingMode, tracingPlugins } from './telemetry.js';
export { describeWorkerLimits, parseWorkerLimits, type WorkerLimits } from './worker-limits.js';

/**
 * `troupe/worker`: build and run workers (`createTroupeWorker`), the model client they call, loading a teams
 * module, worker limits, tracing, payload encryption, and replaying recorded histories.
 *
 * @module troupe/worker
 */
export { createTroupeWorker, WORKFLOWS_PATH, type TroupeWorkerOptions } from './create-worker.js';
export type { McpReport } from './mcp-connections.js';
export { createFileAnswerJournal, answerKey, type AnswerJournal } from '../activities/index.js';
export { connectFromEnv } from './connect-from-env.js';
export { createModelClient, verifyModelAccess, type ModelClient } from './model-client.js';
export { loadTeamsModule, EXAMPLE_TEAMS, type TeamsModule } from './teams-module.js';
export { replayHistoryFile, type ReplayOutcome } from './replay.js';
export { payloadDataConverter, describePayloadEncryption } from '../codec/index.js';
export { installRuntime, tracingMode, tracingPlugins } from './telemetry.js';
export { describeWorkerLimits, parseWorkerLimits, type WorkerLimits } from './worker-limits.js';
// The errors a worker throws, with those of the layers below it reaches (connecting, payload keys).
export { WorkerError, WorkerErrorCode } from './errors.js';
export { HostingError, HostingErrorCode } from '../hosting/errors.js';
export { CodecError, CodecErrorCode } from '../codec/errors.js';

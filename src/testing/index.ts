// Troupe's testing kit: drive your teams through real Temporal and the real Anthropic SDK, offline.
export { startTestEnvironment, type TestEnvironmentOptions, type TroupeTestEnvironment } from './test-environment.js';
export { startMessagesApiDouble, type MessagesApiDouble } from './messages-api-double.js';
export { ScriptedMessages, createOfflineAnthropic, type MessagesScript, type ScriptedReply, type RecordedRequest } from '../activities/index.js';
export { replayHistoryFile, type ReplayOutcome } from '../workers/index.js';
export { TestingError, TestingErrorCode } from './errors.js';
export { ActivityError, ActivityErrorCode } from '../activities/index.js';

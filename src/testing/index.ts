/**
 * `troupe/testing`: test your teams through real Temporal and the real Anthropic SDK, offline:
 * `startTestEnvironment` (time-skipping or dev server, a worker, the Messages API double), the double alone,
 * an offline Anthropic client, and replay of recorded histories.
 *
 * @module troupe/testing
 */
export { startTestEnvironment, type TestEnvironmentOptions, type TroupeTestEnvironment } from './test-environment.js';
export { startMessagesApiDouble, type MessagesApiDouble } from './messages-api-double.js';
export {
  ScriptedMessages,
  createOfflineAnthropic,
  type MessagesScript,
  type ScriptedReply,
  type RecordedRequest,
} from '../activities/index.js';
export { feedText } from '../protocol/feed-text.js';
export type { FeedItem } from '../protocol/feed-events.js';
export type { StreamOptions } from '../client/index.js';
export { replayHistoryFile, type ReplayOutcome } from '../workers/index.js';
export { TestingError, TestingErrorCode } from './errors.js';
export { ActivityError, ActivityErrorCode } from '../activities/index.js';

/**
 * `troupe/client`: start, follow, decide and read runs (`TroupeClient`, `RunHandle`), read a run's audit
 * trail (`readRunHistory`), sign decisions, and connect to the cluster the environment names. Reading runs
 * needs no teams module: only starting them does.
 *
 * @module troupe/client
 */
export {
  TroupeClient,
  RunHandle,
  type ListedRun,
  type PendingRun,
  type RunEvent,
  type RunStatus,
  type StartOptions,
} from './troupe-client.js';
export { streamFeed, feedEnd, type StreamOptions } from './feed-stream.js';
export { feedResponse, serveFeed, type FeedResponseOptions } from './feed-sse.js';
export type { FeedItem } from '../protocol/feed-events.js';
export { feedText } from '../protocol/feed-text.js';
export { describeFailure, type RunFailure } from './failure.js';
export { DECISION_SECRET_ENV, signDecision } from './sign-decision.js';
export { connectFromEnv } from './connect-from-env.js';
export type { AwaitingApproval, DecisionReceipt, RunProgress, RunResult } from '../protocol/messages.js';
export { decideUpdate, decisionSignal, progressQuery, SEARCH_ATTRIBUTES } from '../protocol/messages.js';
export { readRunHistory, type HistoryStep, type RunHistory, type ChildHistoryLoader } from './history/read-history.js';
export { fetchRunHistory } from './history/fetch-history.js';
export { payloadDataConverter } from '../codec/index.js';
// The errors a client throws, with those of the layers below it reaches (connecting, payload keys).
export { ClientError, ClientErrorCode } from './errors.js';
export { HostingError, HostingErrorCode } from '../hosting/errors.js';
export { CodecError, CodecErrorCode } from '../codec/errors.js';

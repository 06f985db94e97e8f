/**
 * `troupe/protocol`: the run's wire contract, shared by client, workers and workflows: what a run receives,
 * carries, answers to and returns (run spec, carry, prices, envelopes, usage, the run's queries, signals and
 * updates, its result and progress, failure types).
 *
 * Experimental: not a stable contract. It changes with Troupe's own client, workers and workflows, in any
 * release; the stable API is `troupe`, `troupe/client`, `troupe/worker` and `troupe/testing`.
 *
 * Workflow code imports its deterministic modules one by one, never this index (it holds zod schemas, and
 * agent-fingerprint.ts hashes with node:crypto).
 *
 * @module troupe/protocol
 * @experimental
 */
export { buildRunSpec } from './build-run-spec.js';
export { agentInCall, isAgentRef, type AgentRef } from './agent-ref.js';
export { agentFingerprint, fingerprintDifferences, readableFingerprint } from './agent-fingerprint.js';
export {
  CarrySchema,
  ModelPriceSchema,
  PricesSchema,
  RunSpecSchema,
  type Carry,
  type Prices,
  type RunSpec,
} from './run-spec.js';
export { EnvelopeSchema, type Envelope } from './envelope.js';
export { ZERO_USAGE, addCost, addUsage, costOf } from './usage.js';
export { UsageSchema, type Usage } from './usage-schema.js';
export * from './messages.js';
export { FailureType } from '../team/index.js';
export {
  DELEGATE_INPUT_SCHEMA_BYTES,
  DELEGATE_PREFIX,
  delegateDescription,
  delegateTool,
  delegatedMember,
  delegatedTask,
} from './delegation.js';
export { DelegationInputSchema } from './delegation-input.js';
export { asText, summarise } from './text.js';
export * from './feed-events.js';
export { feedText } from './feed-text.js';
export {
  feedEndQuery,
  feedPollUpdate,
  feedPublishSignal,
  feedReadQuery,
  feedWatchedQuery,
  type FeedBatch,
  type FeedPage,
  type FeedRead,
  type FeedTarget,
} from './feed-interface.js';
export { FeedSpecSchema, type FeedSpec } from './run-spec.js';

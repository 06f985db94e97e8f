// The run's wire contract, shared by client, workers and workflows: what a run receives, carries,
// answers to and returns. Deterministic: imported by workflow code.
export { buildRunSpec } from './build-run-spec.js';
export { CarrySchema, ModelPriceSchema, PricesSchema, RunSpecSchema, type Carry, type Prices, type RunSpec } from './run-spec.js';
export { EnvelopeSchema, type Envelope } from './envelope.js';
export { UsageSchema, ZERO_USAGE, addCost, addUsage, costOf, type Usage } from './usage.js';
export * from './messages.js';
export { FailureType } from '../team/index.js';
export { DELEGATE_PREFIX, DelegationInputSchema, delegateTool, delegatedMember } from './delegation.js';
export { asText, summarise } from './text.js';

export { defineAgent, defineTeam, parseTeamInput, teamTree, DEFAULT_INPUT_SCHEMA } from './define.js';
export * from './decisions.js';
export type { AgentConfig, AgentDefinition, CheckFunction, Team, TeamConfig } from './define.js';
export { DurationSchema, type Duration } from './duration.js';
export { ErrorCode, FailureType, TeamSpecError, TroupeError } from './errors.js';
export * from './spec.js';
export { VerdictSchema, type Verdict } from './verdict.js';
export { TeamRegistry } from './registry.js';
export * from './approval.js';

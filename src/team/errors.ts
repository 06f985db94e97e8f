import type { z } from 'zod';

/**
 * The catalogue of what can go wrong, in two parts: the `code`s of TroupeErrors, thrown before
 * anything starts (bad input, setup), and the `type`s of the ApplicationFailures a run fails with
 * (FailureType, below), which cross the activity/workflow/client boundary as strings.
 */
export const ErrorCode = [
  'MCP_SDK_MISSING',
  'MCP_SERVER_CONFLICT',
  'MCP_SERVER_UNAVAILABLE',
  'MCP_TOOL_MISSING',
  'APPROVAL_NOT_REACHED',
  'BUDGET_NEEDS_PRICES',
  'DECISION_REFUSED',
  'DETACH_NEEDS_CLUSTER',
  'DUPLICATE_SDK',
  'DUPLICATE_TEAM',
  'EMBEDDED_SERVER_FAILED',
  'EMPTY_HISTORY',
  'HISTORY_NOT_READ',
  'INIT_INSTALL_FAILED',
  'INIT_NOT_EMPTY',
  'INPUT_NOT_JSON',
  'INPUT_NOT_READ',
  'INPUT_NOT_UTF8',
  'INPUT_TOO_LARGE',
  'INVALID_API_KEY',
  'INVALID_CODEC_SERVER',
  'INVALID_DEPLOYMENT',
  'INVALID_FORMAT',
  'INVALID_METRICS_ADDRESS',
  'INVALID_PAYLOAD_KEY',
  'INVALID_PORT',
  'INVALID_PRICES',
  'INVALID_PROJECT_NAME',
  'INVALID_QUERY',
  'INVALID_TEAM_SPEC',
  'INVALID_WORKER_LIMIT',
  'MODEL_API_UNREACHABLE',
  'NOT_A_HISTORY',
  'NO_CLUSTER',
  'NO_TEAMS',
  'NO_TEAMS_MODULE',
  'OFFLINE_SCRIPT_MISSING',
  'PAYLOAD_KEY_UNKNOWN',
  'PAYLOAD_NOT_DECRYPTED',
  'PORT_IN_USE',
  'RUN_ALREADY_RUNNING',
  'RUN_NOT_FOUND',
  'TEAMS_MODULE_INVALID',
  'TEAMS_MODULE_NOT_LOADED',
  'TEMPORAL_BINARY_NOT_FOUND',
  'TEMPORAL_INSTALL_FAILED',
  'TEMPORAL_UNREACHABLE',
  'TRACING_PACKAGES_MISSING',
  'TSX_MISSING',
  'UNKNOWN_TEAM',
] as const;
export type ErrorCode = (typeof ErrorCode)[number];

/**
 * Troupe's own errors carry a stable `code`, so callers (and the CLI) can tell them apart without
 * matching on messages. Each message names the problem and the fix.
 */
export class TroupeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TroupeError';
  }
}

/** A team definition, run spec or run input that does not validate. */
export class TeamSpecError extends TroupeError {
  constructor(subject: string, issues: readonly z.core.$ZodIssue[] | readonly string[]) {
    const lines = issues.map((issue) => (typeof issue === 'string' ? issue : formatIssue(issue)));
    super('INVALID_TEAM_SPEC', `${subject} is not valid:\n${lines.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'TeamSpecError';
  }
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Stable `type`s of the ApplicationFailures Troupe raises. They cross the activity/workflow/client
 * boundary as strings, so tests and callers match on these rather than on error classes.
 */
export const FailureType = {
  // The request is wrong and retrying will not fix it.
  ModelBadRequest: 'ModelBadRequest',
  ModelAuthentication: 'ModelAuthentication',
  ModelPermissionDenied: 'ModelPermissionDenied',
  ModelNotFound: 'ModelNotFound',
  ModelRequestTooLarge: 'ModelRequestTooLarge',
  ModelUnprocessable: 'ModelUnprocessable',
  // Transient: Temporal retries these with the agent's retry policy.
  ModelRateLimited: 'ModelRateLimited',
  ModelOverloaded: 'ModelOverloaded',
  ModelServerError: 'ModelServerError',
  ModelRequestTimeout: 'ModelRequestTimeout',
  ModelConflict: 'ModelConflict',
  ModelTimeout: 'ModelTimeout',
  ModelConnection: 'ModelConnection',
  ModelInvalidResponse: 'ModelInvalidResponse',
  // The model answered, but not in the shape the agent's schema asks for.
  InvalidStructuredOutput: 'InvalidStructuredOutput',
  // A steering agent (supervisor, router ...) kept answering with a decision the topology cannot follow.
  InvalidDecision: 'InvalidDecision',
  // Work handed to an agent does not match the input schema the agent declares.
  InvalidHandoff: 'InvalidHandoff',
  // Troupe's own.
  UnknownAgent: 'UnknownAgent',
  // The worker's teams module defines an agent differently from the client's.
  AgentMismatch: 'AgentMismatch',
  // Offline (no API key), the teams module's offlineScript has no reply for an agent.
  OfflineScriptMissing: 'OfflineScriptMissing',
  InvalidTeamSpec: 'InvalidTeamSpec',
  GateRejected: 'GateRejected',
  // An MCP server cannot be reached (down, exited, lost mid-call): retried by the server's retry policy.
  McpServerUnavailable: 'McpServerUnavailable',
  // An MCP tool did not answer within its timeout (the server was told to stop): retried by the server's retry policy.
  McpCallTimedOut: 'McpCallTimedOut',
  // A claim-checked payload (a tool loop's conversation, a large result) is not in this worker's store.
  PayloadMissing: 'PayloadMissing',
  // A tool-using agent did not finish within its maxTurns model turns.
  MaxTurnsExceeded: 'MaxTurnsExceeded',
  // Every optional member a topology needed (the debaters, the swarm's agents, the routes) failed for good and was skipped.
  NoMemberLeft: 'NoMemberLeft',
  // A person (or an approval's expiry policy) rejected the work.
  ApprovalRejected: 'ApprovalRejected',
  // A decision that cannot apply (an approver not allowed, a gate not waiting, a second decision).
  DecisionRefused: 'DecisionRefused',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

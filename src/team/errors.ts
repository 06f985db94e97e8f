import type { z } from 'zod';

/**
 * What can go wrong comes in two kinds. Errors thrown before anything starts (bad input, setup) are
 * TroupeErrors with a stable `code`; each layer defines its own in its `errors.ts` (the team language's
 * below, the client's, the workers', hosting's, the codec's, the CLI's, the testing kit's), and no
 * code appears in two layers. A run that fails does so with an ApplicationFailure whose `type` is a
 * FailureType (further below): those names cross the activity/workflow/client boundary as strings.
 */

// A registered symbol, so an error made by another copy of Troupe (a duplicate in node_modules) is
// still recognised by isInstance, where instanceof would say no.
const TROUPE_ERROR = Symbol.for('troupe.error');

/**
 * The base of every error Troupe throws: a stable `code` to tell them apart without matching on
 * messages, and a message that names the problem and the fix.
 */
export class TroupeError extends Error {
  /** The codes this class throws (a layer's catalogue); the base class holds every code. */
  static readonly codes: readonly string[] | undefined = undefined;

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TroupeError';
    Object.defineProperty(this, TROUPE_ERROR, { value: true });
  }

  /**
   * Whether `value` is an error of this class, made by this copy of Troupe or another one: narrows
   * `code` to this class's catalogue, e.g. `if (WorkerError.isInstance(error) && error.code === 'TSX_MISSING')`.
   */
  static isInstance<T extends TroupeError>(
    this: { readonly prototype: T; readonly codes: readonly string[] | undefined },
    value: unknown,
  ): value is T {
    if (typeof value !== 'object' || value === null || !(TROUPE_ERROR in value)) return false;
    const code = (value as { code?: unknown }).code;
    return this.codes === undefined || (typeof code === 'string' && this.codes.includes(code));
  }
}

/** The codes of the errors the team language throws while teams are defined and registered. */
export const TeamErrorCode = ['DUPLICATE_TEAM', 'INVALID_TEAM_SPEC', 'UNKNOWN_TEAM'] as const;
/** One of the codes of TeamError, the stable names to match on. */
export type TeamErrorCode = (typeof TeamErrorCode)[number];

/** A mistake in defining or naming teams: two teams with one name, a team nobody defined, a spec that does not validate. */
export class TeamError extends TroupeError {
  static override readonly codes: readonly string[] = TeamErrorCode;
  declare readonly code: TeamErrorCode;

  constructor(code: TeamErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TeamError';
  }
}

/** A team definition, run spec or run input that does not validate (code `INVALID_TEAM_SPEC`). */
export class TeamSpecError extends TeamError {
  static override readonly codes: readonly string[] = ['INVALID_TEAM_SPEC'] satisfies TeamErrorCode[];
  declare readonly code: 'INVALID_TEAM_SPEC';

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

/** One of the FailureType names: the `type` of an ApplicationFailure a run fails with. */
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

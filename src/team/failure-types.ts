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
  // Offline (no API key), the teams module's offlineScript has no reply for an agent.
  OfflineScriptMissing: 'OfflineScriptMissing',
  InvalidTeamSpec: 'InvalidTeamSpec',
  GateRejected: 'GateRejected',
  // A person (or an approval's expiry policy) rejected the work.
  ApprovalRejected: 'ApprovalRejected',
  // A decision that cannot apply (an approver not allowed, a gate not waiting, a second decision).
  DecisionRefused: 'DecisionRefused',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

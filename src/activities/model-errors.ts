import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../team/errors.js';
import { NO_SCRIPTED_REPLY } from './providers/scripted-messages.js';

/**
 * The one place model errors are classified. Temporal owns retries: the client is built with
 * `maxRetries: 0`, and each error becomes an ApplicationFailure whose `nonRetryable` flag and
 * `nextRetryDelay` tell Temporal what to do next.
 */
const NON_RETRYABLE: Record<number, { type: FailureType; fix: string }> = {
  400: {
    type: FailureType.ModelBadRequest,
    fix: "the request was rejected as invalid; check the agent's model, maxTokens and prompt",
  },
  401: {
    type: FailureType.ModelAuthentication,
    fix: 'ANTHROPIC_API_KEY was rejected; set a valid key (or unset it to run offline)',
  },
  403: {
    type: FailureType.ModelPermissionDenied,
    fix: "this API key may not use that model or feature; check the key's workspace permissions",
  },
  404: {
    type: FailureType.ModelNotFound,
    fix: "the model or endpoint does not exist; check the agent's model name and ANTHROPIC_BASE_URL",
  },
  413: {
    type: FailureType.ModelRequestTooLarge,
    fix: 'the request is too large; shorten the input or split the work across steps',
  },
  422: {
    type: FailureType.ModelUnprocessable,
    fix: "the request could not be processed; check the agent's output schema and parameters",
  },
};

const RETRYABLE: Record<number, FailureType> = {
  408: FailureType.ModelRequestTimeout,
  409: FailureType.ModelConflict,
  429: FailureType.ModelRateLimited,
  529: FailureType.ModelOverloaded,
};

export function classifyModelError(error: unknown, agent: string): unknown {
  if (error instanceof Anthropic.APIUserAbortError) return error; // cancellation: let Temporal see it as such
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return ApplicationFailure.retryable(`agent "${agent}": the model did not answer in time`, FailureType.ModelTimeout);
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return ApplicationFailure.retryable(
      `agent "${agent}": could not reach the model API: ${error.message}`,
      FailureType.ModelConnection,
    );
  }
  if (error instanceof SyntaxError) {
    // A 200 whose body is not JSON: a proxy or a broken gateway answered. Another attempt may not.
    return ApplicationFailure.retryable(
      `agent "${agent}": the model API answered with a body that is not valid JSON (${error.message})`,
      FailureType.ModelInvalidResponse,
    );
  }
  if (!(error instanceof Anthropic.APIError)) return error;
  const status = error.status as number | undefined;
  const headers = error.headers as Headers | undefined;
  const requestId = error.requestID ?? null;
  if (status === undefined) return error;

  const message = `agent "${agent}": ${error.message}`;
  if (errorType(error) === NO_SCRIPTED_REPLY) {
    return ApplicationFailure.create({
      message: `agent "${agent}": the offline provider has no scripted reply for it (no ANTHROPIC_API_KEY is set, so agents answer from the teams module's \`offlineScript\`). Add replies under "<team>/${agent}", "${agent}" or "*" in \`export const offlineScript\`, or set ANTHROPIC_API_KEY to use Claude.`,
      type: FailureType.OfflineScriptMissing,
      nonRetryable: true,
    });
  }
  const nonRetryable = NON_RETRYABLE[status];
  if (nonRetryable) {
    return ApplicationFailure.create({
      message: `${message} (${nonRetryable.fix})`,
      type: nonRetryable.type,
      nonRetryable: true,
      details: [{ status, requestId }],
    });
  }
  const type = RETRYABLE[status] ?? (status >= 500 ? FailureType.ModelServerError : undefined);
  if (type === undefined) {
    return ApplicationFailure.create({
      message,
      type: `ModelHttp${status}`,
      nonRetryable: true,
      details: [{ status }],
    });
  }
  const nextRetryDelay = retryAfterMs(headers);
  return ApplicationFailure.create({
    message,
    type,
    nonRetryable: false,
    details: [{ status, requestId }],
    ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
  });
}

/** The `error.type` of an API error body, e.g. "rate_limit_error". */
function errorType(error: { error: unknown }): string | undefined {
  const body = error.error as { error?: { type?: unknown } } | undefined;
  return typeof body?.error?.type === 'string' ? body.error.type : undefined;
}

/** The server's own back-off hint: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

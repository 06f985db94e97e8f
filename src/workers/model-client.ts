import Anthropic from '@anthropic-ai/sdk';
import { createOfflineAnthropic, type MessagesScript } from '../activities/index.js';
import { WorkerError } from './errors.js';

/** The Anthropic client a worker's agents call, and whether it is Claude or the offline scripted model. */
export interface ModelClient {
  /** The client, with `maxRetries: 0` (Temporal owns retries). */
  anthropic: Anthropic;
  /** `anthropic`: Claude (or `ANTHROPIC_BASE_URL`); `offline`: the teams module's offline script. */
  mode: 'anthropic' | 'offline';
  /** One line for the user: where agent calls go. */
  description: string;
}

/**
 * Claude when ANTHROPIC_API_KEY (or ANTHROPIC_BASE_URL) is set; otherwise the offline scripted
 * provider. Either way it is the real SDK with `maxRetries: 0`: Temporal owns retries.
 */
export function createModelClient(offlineScript: MessagesScript, env: NodeJS.ProcessEnv = process.env): ModelClient {
  const apiKey = env['ANTHROPIC_API_KEY'];
  const baseURL = env['ANTHROPIC_BASE_URL'];
  if (apiKey || baseURL) {
    const anthropic = new Anthropic({ apiKey: apiKey ?? null, ...(baseURL ? { baseURL } : {}), maxRetries: 0 });
    return { anthropic, mode: 'anthropic', description: `agents call Claude at ${anthropic.baseURL}` };
  }
  return {
    // A worker serves for long: it keeps no record of the requests (tests read those). Its replies
    // stream word by word, as a model writes, so the live feed shows them being written.
    anthropic: createOfflineAnthropic(offlineScript, { record: false, tokenDelayMs: offlineTokenDelay(env) }).anthropic,
    mode: 'offline',
    description:
      'OFFLINE: no ANTHROPIC_API_KEY is set, so agents answer from scripted replies, not Claude. Set ANTHROPIC_API_KEY to use Claude.',
  };
}

/** The environment variable that sets the offline model's wait between streamed words, in ms. */
export const OFFLINE_TOKEN_MS_ENV = 'TROUPE_OFFLINE_TOKEN_MS';
/** About 65 words a second: an answer of a few sentences is seen being written for a second or so. */
const OFFLINE_TOKEN_MS = 15;

function offlineTokenDelay(env: NodeJS.ProcessEnv): number {
  const set = env[OFFLINE_TOKEN_MS_ENV];
  if (set === undefined || set === '') return OFFLINE_TOKEN_MS;
  const ms = Number(set);
  if (!Number.isInteger(ms) || ms < 0 || ms > 10_000)
    throw new WorkerError(
      'INVALID_OFFLINE_TOKEN_MS',
      `${OFFLINE_TOKEN_MS_ENV}=${set} is not a whole number of milliseconds from 0 to 10000: set it to, e.g., 15 (or 0 to answer at once).`,
    );
  return ms;
}

/** Fails fast, before any run starts, when the API rejects the key or cannot be reached. */
export async function verifyModelAccess(model: ModelClient): Promise<void> {
  if (model.mode === 'offline') return;
  try {
    await model.anthropic.models.list({ limit: 1 }, { timeout: 15_000 });
  } catch (error) {
    if (error instanceof Anthropic.AuthenticationError || error instanceof Anthropic.PermissionDeniedError) {
      throw new WorkerError(
        'INVALID_API_KEY',
        `ANTHROPIC_API_KEY was rejected by ${model.anthropic.baseURL} (${error.status}): set a valid key, or unset ANTHROPIC_API_KEY to run offline with scripted replies.`,
        { cause: error },
      );
    }
    if (error instanceof Anthropic.APIConnectionError) {
      throw new WorkerError(
        'MODEL_API_UNREACHABLE',
        `Cannot reach the Anthropic API at ${model.anthropic.baseURL}: ${error.message}. Check your network or ANTHROPIC_BASE_URL.`,
        { cause: error },
      );
    }
    throw error;
  }
}

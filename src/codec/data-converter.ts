import type { DataConverter } from '@temporalio/common';
import { fileURLToPath } from 'node:url';
import { AesGcmPayloadCodec } from './aes-gcm-codec.js';
import { PAYLOAD_KEY_VAR, payloadKeysFromEnv } from './payload-keys.js';

/**
 * The failure converter that keeps failure messages and stack traces in an (encrypted) payload:
 * workflow bundles for encrypting workers are built with it (`failureConverterPath`).
 */
export const ENCODED_FAILURES_CONVERTER_PATH = fileURLToPath(new URL('./encoded-failures.cjs', import.meta.url));

/**
 * The data converter clients, workers and replays share: when TROUPE_PAYLOAD_KEY is set, payloads
 * encrypted with AES-256-GCM, failure messages and stack traces among them; Temporal's defaults
 * otherwise. Both sides must agree, so all read the same variables.
 */
export function payloadDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const keys = payloadKeysFromEnv(env);
  return keys
    ? {
        payloadCodecs: [new AesGcmPayloadCodec(keys.current, keys.old)],
        failureConverterPath: ENCODED_FAILURES_CONVERTER_PATH,
      }
    : {};
}

/** One line for start-up output: whether payloads are encrypted, and with which key. */
export function describePayloadEncryption(env: NodeJS.ProcessEnv = process.env): string {
  const keys = payloadKeysFromEnv(env);
  if (!keys) return `Payloads are not encrypted (set ${PAYLOAD_KEY_VAR} to encrypt them).`;
  const old = keys.old.length ? `; ${keys.old.length} old key${keys.old.length > 1 ? 's' : ''} still decrypt` : '';
  return `Payloads are encrypted with AES-256-GCM (key "${keys.current.id}"${old}).`;
}

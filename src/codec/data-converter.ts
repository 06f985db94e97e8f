import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec.js';
import { PAYLOAD_KEY_VAR, payloadKeysFromEnv } from './payload-keys.js';

/**
 * The data converter clients, workers and replays share: payloads encrypted with AES-256-GCM when
 * TROUPE_PAYLOAD_KEY is set, Temporal's defaults otherwise. Both sides must agree, so all read the
 * same variables.
 */
export function payloadDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const keys = payloadKeysFromEnv(env);
  return keys ? { payloadCodecs: [new AesGcmPayloadCodec(keys.current, keys.old)] } : {};
}

/** One line for start-up output: whether payloads are encrypted, and with which key. */
export function describePayloadEncryption(env: NodeJS.ProcessEnv = process.env): string {
  const keys = payloadKeysFromEnv(env);
  if (!keys) return `Payloads are not encrypted (set ${PAYLOAD_KEY_VAR} to encrypt them).`;
  const old = keys.old.length ? `; ${keys.old.length} old key${keys.old.length > 1 ? 's' : ''} still decrypt` : '';
  return `Payloads are encrypted with AES-256-GCM (key "${keys.current.id}"${old}).`;
}

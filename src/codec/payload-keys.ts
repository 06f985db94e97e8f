import { createHash } from 'node:crypto';
import { CodecError } from './errors.js';
import type { PayloadKey } from './aes-gcm-codec.js';

export const PAYLOAD_KEY_VAR = 'TROUPE_PAYLOAD_KEY';
export const OLD_PAYLOAD_KEYS_VAR = 'TROUPE_PAYLOAD_OLD_KEYS';

const MAKE_A_KEY = 'Make a key with `openssl rand -base64 32`';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The key payloads are encrypted with, and the old keys that still decrypt what they sealed. */
export interface PayloadKeys {
  current: PayloadKey;
  old: PayloadKey[];
}

/**
 * Reads TROUPE_PAYLOAD_KEY (`[id:]base64 of 32 bytes`) and TROUPE_PAYLOAD_OLD_KEYS (the same,
 * separated by commas). Undefined when no key is set: payloads are then not encrypted.
 */
export function payloadKeysFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadKeys | undefined {
  const current = env[PAYLOAD_KEY_VAR]?.trim();
  const old = env[OLD_PAYLOAD_KEYS_VAR]?.trim();
  if (!current) {
    if (old)
      throw new CodecError(
        'INVALID_PAYLOAD_KEY',
        `${OLD_PAYLOAD_KEYS_VAR} is set but ${PAYLOAD_KEY_VAR} is not: set the current key too (old keys only decrypt). ${MAKE_A_KEY}.`,
      );
    return undefined;
  }
  const keys = {
    current: parsePayloadKey(current, PAYLOAD_KEY_VAR),
    old: (old ? old.split(',') : []).map((text) => parsePayloadKey(text.trim(), OLD_PAYLOAD_KEYS_VAR)),
  };
  const ids = [keys.current, ...keys.old].map((k) => k.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated)
    throw new CodecError(
      'INVALID_PAYLOAD_KEY',
      `Two payload keys have the id "${repeated}": give each key in ${PAYLOAD_KEY_VAR} and ${OLD_PAYLOAD_KEYS_VAR} its own id (\`id:base64\`).`,
    );
  return keys;
}

/** `id:base64` or plain base64; without an id, the key's id is a fingerprint of it. */
export function parsePayloadKey(text: string, variable: string): PayloadKey {
  const colon = text.indexOf(':');
  const id = colon >= 0 ? text.slice(0, colon) : undefined;
  const encoded = colon >= 0 ? text.slice(colon + 1) : text;
  if (id !== undefined && !KEY_ID.test(id)) {
    throw new CodecError(
      'INVALID_PAYLOAD_KEY',
      `${variable} has a key id "${id}" that is not 1-64 letters, digits, dots, dashes or underscores: write it as id:base64, e.g. 2026-11:$(openssl rand -base64 32).`,
    );
  }
  const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
  if (!key || key.length !== 32) {
    throw new CodecError(
      'INVALID_PAYLOAD_KEY',
      `${variable} must be the base64 of a 32-byte (AES-256) key, optionally prefixed with an id (id:base64), but it is ${key ? `${key.length} bytes` : 'not base64'}. ${MAKE_A_KEY}.`,
    );
  }
  return { id: id ?? `k-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`, key };
}

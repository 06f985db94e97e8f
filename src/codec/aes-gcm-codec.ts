import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { CodecError } from './errors.js';

// @temporalio/proto is CommonJS: its namespace comes through the default export under Node's ESM.
const { Payload: ProtoPayload } = proto.temporal.api.common.v1;

/** The encoding of an encrypted payload: the payload (metadata and data) sealed with AES-256-GCM. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Names the key a payload was sealed with, so a rotated key still opens old payloads. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A 32-byte AES key and the id payloads record it by. */
export interface PayloadKey {
  id: string;
  key: Uint8Array;
}

/**
 * Encrypts every payload with the current key (AES-256-GCM, a fresh IV each time, the key id as
 * associated data) and decrypts with whichever known key a payload names. Payloads that are not
 * encrypted pass through, so histories recorded before encryption still read.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Uint8Array>;

  constructor(
    readonly current: PayloadKey,
    old: readonly PayloadKey[] = [],
  ) {
    this.keys = new Map([...old, current].map((k) => [k.id, k.key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.encrypt(payload))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // A payload that does not decrypt rejects the promise (the executor's throw).
    return new Promise((resolve) =>
      resolve(payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload))),
    );
  }

  private encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv).setAAD(encoder.encode(this.current.id));
    const sealed = Buffer.concat([cipher.update(ProtoPayload.encode(payload).finish()), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: encoder.encode(this.current.id),
      },
      data: Buffer.concat([iv, sealed, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const id = decoder.decode(payload.metadata?.[KEY_ID_METADATA] ?? new Uint8Array());
    const key = this.keys.get(id);
    if (!key) {
      throw new CodecError(
        'PAYLOAD_KEY_UNKNOWN',
        `A payload is encrypted with key "${id}", which is neither TROUPE_PAYLOAD_KEY nor in TROUPE_PAYLOAD_OLD_KEYS: add that key to TROUPE_PAYLOAD_OLD_KEYS.`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES)).setAAD(encoder.encode(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return ProtoPayload.decode(plain);
    } catch (error) {
      throw new CodecError(
        'PAYLOAD_NOT_DECRYPTED',
        `A payload encrypted with key "${id}" does not decrypt: it was altered, or the key under that id is not the one that sealed it.`,
        { cause: error },
      );
    }
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && decoder.decode(encoding) === ENCRYPTED_ENCODING;
}

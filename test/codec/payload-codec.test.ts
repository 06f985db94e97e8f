import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  payloadDataConverter,
  payloadKeysFromEnv,
} from '../../src/codec/index.js';
import type { TroupeError } from '../../src/team/index.js';

const newKey = (id: string) => ({ id, key: randomBytes(32) });
const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());
const secret = { prompt: 'the launch date is 12 March', nested: [1, 2, 3] };

function thrown(fn: () => unknown): TroupeError {
  try {
    fn();
  } catch (error) {
    return error as TroupeError;
  }
  throw new Error('expected an error');
}

describe('the AES-256-GCM payload codec', () => {
  it('round-trips a payload, and what it stores names the encoding and key but holds no plaintext', async () => {
    const codec = new AesGcmPayloadCodec(newKey('2026-11'));
    const plain = defaultPayloadConverter.toPayload(secret);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed?.metadata?.['encoding'])).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed?.metadata?.[KEY_ID_METADATA])).toBe('2026-11');
    expect(Buffer.from(sealed!.data!).includes('12 March')).toBe(false);
    expect(Buffer.from(sealed!.data!).includes('json/plain')).toBe(false);
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(secret);
    // A fresh IV each time: the same payload never seals to the same bytes.
    const [again] = await codec.encode([plain]);
    expect(Buffer.from(again!.data!).equals(Buffer.from(sealed!.data!))).toBe(false);
  });

  it('passes payloads that are not encrypted through, so older histories still read', async () => {
    const codec = new AesGcmPayloadCodec(newKey('a'));
    const plain = defaultPayloadConverter.toPayload('hello');
    expect(defaultPayloadConverter.fromPayload((await codec.decode([plain]))[0]!)).toBe('hello');
  });

  it('rotates: the old key still decrypts, the new key encrypts', async () => {
    const [old, current] = [newKey('old'), newKey('new')];
    const [sealedBefore] = await new AesGcmPayloadCodec(old).encode([defaultPayloadConverter.toPayload(secret)]);
    const rotated = new AesGcmPayloadCodec(current, [old]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([sealedBefore!]))[0]!)).toEqual(secret);
    const [sealedAfter] = await rotated.encode([defaultPayloadConverter.toPayload(secret)]);
    expect(text(sealedAfter?.metadata?.[KEY_ID_METADATA])).toBe('new');
    // Without the old key, its payloads are refused by name.
    const refused = await new AesGcmPayloadCodec(current)
      .decode([sealedBefore!])
      .catch((error: unknown) => error as TroupeError);
    expect(refused).toMatchObject({ code: 'PAYLOAD_KEY_UNKNOWN' });
    expect((refused as TroupeError).message).toContain('"old"');
  });

  it('refuses a tampered payload, and one sealed by another key under the same id', async () => {
    const key = newKey('k');
    const codec = new AesGcmPayloadCodec(key);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toMatchObject({ code: 'PAYLOAD_NOT_DECRYPTED' });
    await expect(new AesGcmPayloadCodec(newKey('k')).decode([sealed!])).rejects.toMatchObject({
      code: 'PAYLOAD_NOT_DECRYPTED',
    });
    await expect(
      codec.decode([{ ...sealed!, data: Buffer.from(sealed!.data!).subarray(0, 10) }]),
    ).rejects.toMatchObject({ code: 'PAYLOAD_NOT_DECRYPTED' });
  });
});

describe('payload keys from the environment', () => {
  const base64 = randomBytes(32).toString('base64');

  it('is off without TROUPE_PAYLOAD_KEY, on with it', () => {
    expect(payloadKeysFromEnv({})).toBeUndefined();
    expect(payloadDataConverter({}).payloadCodecs).toBeUndefined();
    expect(payloadDataConverter({ TROUPE_PAYLOAD_KEY: base64 }).payloadCodecs).toHaveLength(1);
  });

  it('reads an id:key pair, a bare key (its id a fingerprint) and old keys', () => {
    const old = randomBytes(32).toString('base64');
    const keys = payloadKeysFromEnv({
      TROUPE_PAYLOAD_KEY: `2026-11:${base64}`,
      TROUPE_PAYLOAD_OLD_KEYS: `2026-10:${old}, ${randomBytes(32).toString('base64')}`,
    });
    expect(keys?.current.id).toBe('2026-11');
    expect(Buffer.from(keys!.current.key).toString('base64')).toBe(base64);
    expect(keys?.old.map((k) => k.id)).toEqual(['2026-10', expect.stringMatching(/^k-[0-9a-f]{12}$/)]);
    expect(payloadKeysFromEnv({ TROUPE_PAYLOAD_KEY: base64 })?.current.id).toBe(
      payloadKeysFromEnv({ TROUPE_PAYLOAD_KEY: base64 })?.current.id,
    );
  });

  it.each([
    [
      'a key of the wrong length',
      { TROUPE_PAYLOAD_KEY: randomBytes(16).toString('base64') },
      /TROUPE_PAYLOAD_KEY must be the base64 of a 32-byte .* it is 16 bytes\. Make a key with `openssl rand -base64 32`/,
    ],
    [
      'a key that is not base64',
      { TROUPE_PAYLOAD_KEY: 'not a key!' },
      /TROUPE_PAYLOAD_KEY .* it is not base64\. Make a key with `openssl rand -base64 32`/,
    ],
    [
      'a bad old key',
      { TROUPE_PAYLOAD_KEY: randomBytes(32).toString('base64'), TROUPE_PAYLOAD_OLD_KEYS: 'old:abc' },
      /TROUPE_PAYLOAD_OLD_KEYS must be the base64/,
    ],
    ['a bad key id', { TROUPE_PAYLOAD_KEY: `a b:${randomBytes(32).toString('base64')}` }, /key id "a b"/],
    [
      'old keys without a current one',
      { TROUPE_PAYLOAD_OLD_KEYS: randomBytes(32).toString('base64') },
      /TROUPE_PAYLOAD_OLD_KEYS is set but TROUPE_PAYLOAD_KEY is not/,
    ],
    [
      'two keys with one id',
      {
        TROUPE_PAYLOAD_KEY: `x:${randomBytes(32).toString('base64')}`,
        TROUPE_PAYLOAD_OLD_KEYS: `x:${randomBytes(32).toString('base64')}`,
      },
      /Two payload keys have the id "x"/,
    ],
  ])('names the variable and the fix for %s', (_case, env, message) => {
    const error = thrown(() => payloadKeysFromEnv(env));
    expect(error.code).toBe('INVALID_PAYLOAD_KEY');
    expect(error.message).toMatch(message);
  });
});

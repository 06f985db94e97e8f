import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec, startCodecServer, type CodecServer } from '../../src/codec/index.js';

const UI = 'http://localhost:8233';
const TOKEN = randomBytes(24).toString('hex');
const codec = new AesGcmPayloadCodec({ id: 'test', key: randomBytes(32) });
let server: CodecServer;

beforeAll(async () => {
  server = await startCodecServer({ codec, token: TOKEN, origins: [UI] });
});
afterAll(() => server?.close());

const asJson = (payload: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

async function sealedBody(value: unknown): Promise<string> {
  const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  return JSON.stringify({ payloads: [asJson(sealed!)] });
}

describe('the codec server', () => {
  it('decodes for a caller with the token in the Authorization header, and encodes back', async () => {
    const response = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: await sealedBody({ task: 'secret plan' }),
    });
    expect(response.status).toBe(200);
    const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata['encoding']!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual({ task: 'secret plan' });

    const encoded = await fetch(`${server.url}/encode`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ payloads }),
    });
    const sealed = ((await encoded.json()) as { payloads: { metadata: Record<string, string> }[] }).payloads[0]!;
    expect(Buffer.from(sealed.metadata['encoding']!, 'base64').toString()).toBe('binary/encrypted');
  });

  it('accepts the token as the first path segment: the endpoint the Temporal UI is given', async () => {
    const response = await fetch(`${server.uiEndpoint}/decode`, {
      method: 'POST',
      headers: { Origin: UI, 'Content-Type': 'application/json' },
      body: await sealedBody('from the UI'),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('answers 401 without the token or with a wrong one, and decrypts nothing', async () => {
    const body = await sealedBody('secret');
    for (const headers of [
      {},
      { Authorization: 'Bearer wrong-token-wrong-token' },
      { Authorization: `Basic ${TOKEN}` },
    ]) {
      const response = await fetch(`${server.url}/decode`, { method: 'POST', headers, body });
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain('secret');
    }
    expect((await fetch(`${server.url}/wrong-token/decode`, { method: 'POST', body })).status).toBe(401);
  });

  it('grants CORS to the configured UI origin only', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/i);

    for (const origin of ['http://evil.example', 'http://localhost:8234', 'http://127.0.0.1:8233']) {
      const refused = await fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      // Even with the token, another origin gets no answer.
      const post = await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: { Origin: origin, Authorization: `Bearer ${TOKEN}` },
        body: await sealedBody('x'),
      });
      expect(post.status).toBe(403);
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('refuses a body that is not payloads, and a payload that does not decrypt', async () => {
    const headers = { Authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${server.url}/decode`, { method: 'POST', headers, body: 'not json' })).status).toBe(400);
    expect((await fetch(`${server.url}/decode`, { method: 'POST', headers, body: '{"payloads": 3}' })).status).toBe(
      400,
    );
    const [sealed] = await new AesGcmPayloadCodec({ id: 'test', key: randomBytes(32) }).encode([
      defaultPayloadConverter.toPayload('x'),
    ]);
    const refused = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ payloads: [asJson(sealed!)] }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/does not decrypt/);
  });
});

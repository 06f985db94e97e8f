import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';

/** The JSON form of payloads in the codec server protocol: metadata values and data in base64. */
const PayloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })),
});
type JsonPayload = z.infer<typeof PayloadsBody>['payloads'][number];

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Callers prove they may see payloads with `Authorization: Bearer <token>`, or with the token as the first path segment. */
  token: string;
  /** Browser origins allowed to call (the Temporal UI's): CORS is granted to these only. */
  origins: readonly string[];
  port?: number;
  host?: string;
}

export interface CodecServer {
  /** The endpoint without the token, e.g. http://127.0.0.1:8888. */
  readonly url: string;
  /** The endpoint to give the Temporal UI, which cannot send a header of its own: the token is its first path segment. */
  readonly uiEndpoint: string;
  close(): Promise<void>;
}

/**
 * Temporal's remote codec protocol (POST /encode and /decode with `{ payloads: [...] }`), so the
 * Temporal UI and `temporal --codec-endpoint` show decrypted payloads to those holding the token.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) =>
      reply(response, 400, { message: (error as Error).message }),
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    uiEndpoint: `${url}/${encodeURIComponent(options.token)}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: CodecServerOptions): Promise<void> {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    // Only the configured UI gets CORS headers; a browser on any other page cannot read the answer.
    if (!options.origins.includes(origin)) return reply(response, 403, { message: `Origin ${origin} is not allowed.` });
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Vary', 'Origin');
  }
  if (request.method === 'OPTIONS') {
    response.setHeader('Access-Control-Allow-Methods', 'POST');
    response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
    response.writeHead(204).end();
    return;
  }
  const { operation, token } = route(request.url ?? '/');
  const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!sameSecret(bearer ?? token, options.token))
    return reply(response, 401, { message: 'A codec token is required: send Authorization: Bearer <token>.' });
  if (request.method !== 'POST' || !operation) return reply(response, 404, { message: 'POST /encode or /decode.' });
  const body = PayloadsBody.safeParse(JSON.parse(await readBody(request)));
  if (!body.success)
    return reply(response, 400, {
      message: 'The body must be { "payloads": [{ "metadata": {...}, "data": "<base64>" }] }.',
    });
  const payloads = body.data.payloads.map(fromJson);
  const converted =
    operation === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
  reply(response, 200, { payloads: converted.map(toJson) });
}

/** `/decode`, or `/<token>/decode` for the UI. */
function route(url: string): { operation: 'encode' | 'decode' | undefined; token: string | undefined } {
  const parts = new URL(url, 'http://codec').pathname.split('/').filter(Boolean);
  const last = parts.at(-1);
  const operation = last === 'encode' || last === 'decode' ? last : undefined;
  return { operation, token: parts.length === 2 ? decodeURIComponent(parts[0] ?? '') : undefined };
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function fromJson(payload: JsonPayload): Payload {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? '', 'base64') };
}

function toJson(payload: Payload): JsonPayload {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value ?? new Uint8Array()).toString('base64'),
    ]),
  );
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

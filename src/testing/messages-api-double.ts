import Anthropic from '@anthropic-ai/sdk';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ScriptedMessages, type MessagesScript } from '../activities/index.js';

/**
 * A local HTTP double of the Messages API. The real Anthropic SDK talks to it over HTTP, so
 * retries, timeouts, error classes, parsing and streaming are exercised exactly as against Claude.
 */
export interface MessagesApiDouble {
  /** The double's base URL: give it to the SDK as `baseURL` (or `ANTHROPIC_BASE_URL`). */
  url: string;
  /** The script it answers from, and the requests it received (`callsTo(agent)`). */
  scripted: ScriptedMessages;
  /** A real client for this double, configured as Troupe configures it (Temporal owns retries). */
  client(): Anthropic;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the Messages API double on a free local port, answering each agent from `script` (replies per agent:
 * text, JSON, tool use, server tool use, errors with headers, slow, hanging or malformed replies). A request
 * with `stream: true` (`messages.stream()`) is answered with server-sent events, each delta written
 * `tokenDelayMs` (default 0; a reply's own `tokenDelayMs` wins) after the one before.
 */
export async function startMessagesApiDouble(
  script: MessagesScript,
  options: {
    apiKey?: string;
    tokenDelayMs?: number;
    /**
     * Called as each piece of a streamed reply is written: `data` is what was written (one or more
     * server-sent events; with a token delay, one delta a piece), `at` when (`Date.now()`). The
     * benchmark uses it to time a token from the double to a reader of the run's feed.
     */
    onChunk?: (chunk: { data: string; at: number }) => void;
  } = {},
): Promise<MessagesApiDouble> {
  const scripted = new ScriptedMessages(
    script,
    options.tokenDelayMs !== undefined ? { tokenDelayMs: options.tokenDelayMs } : {},
  );
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy(); // mid-stream: the client sees the stream break
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    // The SDK sends the key as a bearer token; older clients use x-api-key.
    const presented = headers['x-api-key'] ?? headers['authorization']?.replace(/^Bearer /, '');
    if (options.apiKey !== undefined && presented !== options.apiKey) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid API key' } }));
      return;
    }
    if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [], has_more: false, first_id: null, last_id: null }));
      return;
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `${req.method} ${req.url}` } }),
      );
      return;
    }
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const reply = scripted.respond(JSON.parse(raw) as Parameters<ScriptedMessages['respond']>[0], headers);
    if (reply.body === undefined && reply.chunks === undefined) return; // hang: the client's timeout or abort closes the socket
    let closed = false;
    res.once('close', () => (closed = true));
    if (reply.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed || closed) return;
    res.writeHead(reply.status, reply.headers);
    if (reply.chunks === undefined) {
      res.end(reply.body);
      return;
    }
    res.flushHeaders();
    for (const chunk of reply.chunks) {
      if (chunk.delayMs > 0) await untilClosed(res, chunk.delayMs);
      // The client went away (aborted, timed out): stop writing, as the API does.
      if (res.destroyed || closed) return;
      res.write(chunk.data);
      options.onChunk?.({ data: chunk.data, at: Date.now() });
    }
    res.end();
  }

  /** Waits `ms`, or less if the response closes first. */
  function untilClosed(res: ServerResponse, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      res.once('close', done);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    scripted,
    client: () => new Anthropic({ apiKey: options.apiKey ?? 'test-key', baseURL: url, maxRetries: 0 }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

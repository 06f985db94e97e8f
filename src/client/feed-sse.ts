import type { WorkflowClient } from '@temporalio/client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { endsFeed, type FeedItem } from '../protocol/feed-events.js';
import { feedReadQuery } from '../protocol/feed-interface.js';
import { ClientError, type ClientErrorCode } from './errors.js';
import { feedEnd, streamFeed } from './feed-stream.js';
import type { TroupeClient } from './troupe-client.js';

/**
 * A run's feed as Server-Sent Events (`text/event-stream`), for browsers' `EventSource`:
 *
 * - each feed item is an unnamed event (`onmessage`): `id:` its offset, `data:` the item's JSON
 *   (its `type` says what it is), so one handler sees every item, and EventSource's automatic
 *   reconnect sends `Last-Event-ID` and resumes after it, nothing lost or repeated;
 * - `event: end`, once the run has ended: `data:` the root run's `run-finished` / `run-failed`
 *   item (`null` for a run that closed without one, e.g. terminated). Close the EventSource on it:
 *   a client that reconnects anyway gets `end` again at once;
 * - `event: error` when the feed cannot be read on mid-stream: `data:` `{ code, message }` (a
 *   ClientError code), then the stream closes;
 * - a comment (`: keep-alive`) every 15 s, so proxies keep the connection open.
 *
 * A request that cannot be served is answered before any event, with a status and a JSON body
 * `{ error: { code, message } }`: 404 for an unknown run, 400 for a bad offset or Last-Event-ID,
 * 409 for a run without a feed, 503 for a closed run no worker can replay.
 */

/** Where to start and when to stop; the `Last-Event-ID` a reconnecting EventSource sends wins over `from`. */
export interface FeedResponseOptions {
  /**
   * The request whose `Last-Event-ID` header, `lastEventId` and `from` query parameters and abort
   * signal to use (a Web `Request`: Hono's `c.req.raw`, a Next.js route handler's request ...).
   * The options below win over what it says.
   */
  request?: Request | undefined;
  /**
   * The id of the last event the client has (an offset, as text): the feed resumes after it. A
   * header's or query parameter's value may be passed as is; empty means none.
   */
  lastEventId?: string | null | undefined;
  /** Where to start when there is no `lastEventId`: an offset (0, the default, for the whole feed) or 'now'; text from a query parameter is read the same way. */
  from?: number | string | null | undefined;
  /** Stops reading the feed and ends the body (e.g. the request's signal, aborted when the client goes away). */
  signal?: AbortSignal | undefined;
  /** How often a keep-alive comment is sent while nothing else is (default 15,000 ms). */
  heartbeatMs?: number | undefined;
}

const HEARTBEAT_MS = 15_000;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  // no-transform: compressing proxies would hold events back to fill their buffers.
  'cache-control': 'no-cache, no-transform',
  // nginx buffers proxied responses unless told not to.
  'x-accel-buffering': 'no',
};

/** The HTTP status of each problem a request for a feed can have. */
const STATUS: Partial<Record<ClientErrorCode, number>> = {
  UNKNOWN_RUN: 404,
  FEED_OFFSET: 400,
  NO_FEED: 409,
  FEED_UNREADABLE: 503,
};

/**
 * The feed of run `workflowId` (and its whole tree) as a Web `Response` streaming Server-Sent
 * Events, for any server that takes one (Hono, Next.js route handlers, Bun, Deno ...). It resolves
 * once the run and the starting offset are checked: with status 200 and the stream, or with an
 * error status and a JSON body naming the problem. See the module's comment for the events.
 *
 * ```ts
 * app.get('/runs/:id/feed', (c) => feedResponse(troupe, c.req.param('id'), { request: c.req.raw }));
 * ```
 */
export async function feedResponse(
  client: TroupeClient | WorkflowClient,
  workflowId: string,
  options: FeedResponseOptions = {},
): Promise<Response> {
  const workflow = 'getHandle' in client ? client : client.client.workflow;
  const { request } = options;
  const query = request ? new URL(request.url).searchParams : undefined;
  const lastEventId = options.lastEventId ?? request?.headers.get('last-event-id') ?? query?.get('lastEventId');
  const signal = options.signal ?? request?.signal;
  const stop = new AbortController();
  const abort = () => stop.abort();
  if (signal?.aborted) abort();
  else signal?.addEventListener('abort', abort, { once: true });

  let opened: Opened;
  try {
    const from = startingOffset(lastEventId, options.from ?? query?.get('from'));
    opened = await open(workflow, workflowId, from, stop.signal);
  } catch (error) {
    signal?.removeEventListener('abort', abort);
    return errorResponse(error);
  }
  const body = eventStream(workflow, workflowId, opened, stop, options.heartbeatMs ?? HEARTBEAT_MS, () =>
    signal?.removeEventListener('abort', abort),
  );
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}

/**
 * {@link feedResponse} for Node's `http` (and Express, Fastify's raw objects ...): reads where to
 * start from the `Last-Event-ID` header, else the `lastEventId` or `from` query parameter (an
 * EventSource cannot set a header on its first connect), writes the events, and stops reading the
 * feed when the client disconnects. Resolves once the response has ended.
 *
 * ```ts
 * createServer((req, res) => void serveFeed(req, res, troupe, workflowIdFrom(req.url)));
 * ```
 */
export async function serveFeed(
  req: IncomingMessage,
  res: ServerResponse,
  client: TroupeClient | WorkflowClient,
  workflowId: string,
  options: Pick<FeedResponseOptions, 'heartbeatMs'> = {},
): Promise<void> {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const header = req.headers['last-event-id'];
  const stop = new AbortController();
  // 'close' on the response: the client went away (or the response ended).
  res.once('close', () => stop.abort());
  const response = await feedResponse(client, workflowId, {
    lastEventId: (Array.isArray(header) ? header[0] : header) || query.get('lastEventId'),
    from: query.get('from'),
    signal: stop.signal,
    ...options,
  });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.flushHeaders();
  if (!response.body) return void res.end();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      res.write(value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    res.end();
  }
}

/** Where the feed is opened: the offset, and for a start whose check failed, the stream's own first answer. */
interface Opened {
  from: number;
  stream: AsyncGenerator<FeedItem>;
  first?: IteratorResult<FeedItem>;
}

/**
 * The offset to start at, from a Last-Event-ID (the feed resumes after it) or `from`; 'now' is
 * looked up when the feed is opened.
 */
function startingOffset(
  lastEventId: string | null | undefined,
  from: number | string | null | undefined,
): number | 'now' {
  if (lastEventId) {
    if (/^\d+$/.test(lastEventId.trim())) return Number(lastEventId.trim()) + 1;
    throw new ClientError(
      'FEED_OFFSET',
      `Last-Event-ID "${lastEventId.slice(0, 40)}" is not an event id of this feed: it must be the offset of the last item received (a whole number).`,
    );
  }
  if (from === undefined || from === null || from === '') return 0;
  if (from === 'now') return 'now';
  const offset = typeof from === 'number' ? from : /^\d+$/.test(from.trim()) ? Number(from.trim()) : NaN;
  if (Number.isSafeInteger(offset) && offset >= 0) return offset;
  throw new ClientError(
    'FEED_OFFSET',
    `"from" must be an offset (a whole number from 0) or "now", not "${String(from).slice(0, 40)}".`,
  );
}

/**
 * Checks, before the response is committed to a status, that the run is there and has a feed that
 * can be read from the offset: a query answers at once, where the stream's long poll would wait
 * for the next item. When the check fails, the stream itself is asked, so the error is the one
 * `run.stream()` throws (and a check that failed for a passing reason costs nothing).
 */
async function open(
  workflow: WorkflowClient,
  workflowId: string,
  start: number | 'now',
  signal: AbortSignal,
): Promise<Opened> {
  const from = start === 'now' ? await feedEnd(workflow, workflowId) : start;
  const stream = streamFeed(workflow, workflowId, { from, signal });
  try {
    await workflow.getHandle(workflowId).query(feedReadQuery, { from, max: 1 });
    return { from, stream };
  } catch {
    return { from, stream, first: await stream.next() };
  }
}

/** The events of an opened feed, until the run ends, the feed fails, or `stop` aborts. */
function eventStream(
  workflow: WorkflowClient,
  workflowId: string,
  opened: Opened,
  stop: AbortController,
  heartbeatMs: number,
  done: () => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const finish = () => {
        if (heartbeat) clearInterval(heartbeat);
        done();
        if (closed) return;
        closed = true;
        controller.close();
      };
      heartbeat = setInterval(() => send(': keep-alive\n\n'), heartbeatMs);
      // A first line at once: the client (and any proxy) sees the stream open before the first item.
      send(`: feed of run ${workflowId} from offset ${opened.from}\n\n`);
      void (async () => {
        let next = opened.from;
        let last: FeedItem | undefined;
        try {
          for (let step = opened.first ?? (await opened.stream.next()); !step.done; step = await opened.stream.next()) {
            last = step.value;
            next = last.offset + 1;
            send(`id: ${last.offset}\ndata: ${JSON.stringify(last)}\n\n`);
          }
          if (stop.signal.aborted) return;
          const final = last && endsFeed(last) ? last : await finalItem(workflow, workflowId, next);
          send(`event: end\ndata: ${JSON.stringify(final ?? null)}\n\n`);
        } catch (error) {
          if (stop.signal.aborted) return;
          const { code, message } = describe(error);
          send(`event: error\ndata: ${JSON.stringify({ code, message })}\n\n`);
        } finally {
          finish();
        }
      })();
    },
    cancel() {
      // The client went away: stop the feed's poll and the heartbeat.
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      stop.abort();
    },
  });
}

/**
 * The root run's last item, for a stream that ended with nothing new: a client that reconnects
 * after the end (its Last-Event-ID the end's offset) is told again how the run ended.
 */
async function finalItem(workflow: WorkflowClient, workflowId: string, next: number): Promise<FeedItem | undefined> {
  if (next === 0) return undefined;
  try {
    const page = await workflow.getHandle(workflowId).query(feedReadQuery, { from: next - 1, max: 1 });
    const item = page.items[0];
    return item && endsFeed(item) ? item : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof ClientError) return { code: error.code, message: error.message };
  return { code: 'FEED_UNREADABLE', message: error instanceof Error ? error.message : String(error) };
}

function errorResponse(error: unknown): Response {
  const { code, message } = describe(error);
  const status = STATUS[code as ClientErrorCode] ?? 500;
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

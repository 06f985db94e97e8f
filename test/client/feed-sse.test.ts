import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesScript } from '../../src/activities/index.js';
import { feedResponse, serveFeed } from '../../src/client/feed-sse.js';
import { TroupeClient } from '../../src/client/troupe-client.js';
import type { FeedItem } from '../../src/protocol/feed-events.js';
import { defineAgent, defineTeam, TeamRegistry, type AgentConfig } from '../../src/team/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { uniqueId, useTemporal } from '../support/temporal.js';

// A run's feed served as Server-Sent Events, read back as a browser's EventSource would read it, on
// the real dev server with a real worker and the Messages API double streaming (real time).
const temporal = useTemporal('dev-server');

const quick: Pick<AgentConfig, 'timeout' | 'heartbeatTimeout' | 'retry'> = {
  timeout: '10s',
  heartbeatTimeout: '5s',
  retry: { maximumAttempts: 3, initialInterval: 100, backoffCoefficient: 1, maximumInterval: 100 },
};
const text = (name: string) => defineAgent({ name, role: name, system: `You are ${name}.`, output: 'text', ...quick });
const pair = defineTeam({
  name: 'sse-pair',
  agents: [text('planner'), text('writer')],
  topology: { kind: 'pipeline', steps: [{ agent: 'planner' }, { agent: 'writer' }] },
});
const slow = defineTeam({
  name: 'sse-slow',
  agents: [text('writer')],
  topology: { kind: 'pipeline', steps: [{ agent: 'writer' }] },
});
const registry = new TeamRegistry([pair, slow]);

const words = (n: number, word: string) => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');
const script: MessagesScript = {
  'sse-pair/planner': [{ text: words(12, 'plan'), tokenDelayMs: 20 }],
  'sse-pair/writer': [{ text: words(30, 'essay'), tokenDelayMs: 25 }],
  'sse-slow/writer': [{ text: words(60, 'slow'), tokenDelayMs: 50 }],
};

let double: MessagesApiDouble;
let troupe: TroupeClient;
let stop: () => Promise<void>;

beforeAll(async () => {
  double = await startMessagesApiDouble(script);
  const taskQueue = uniqueId('sse');
  const worker = await createTroupeWorker({
    connection: temporal.env.nativeConnection,
    taskQueue,
    teams: registry,
    anthropic: double.client(),
    workflowBundle: temporal.bundle,
  });
  const running = worker.run();
  troupe = new TroupeClient(temporal.env.client, registry, { taskQueue });
  stop = async () => {
    worker.shutdown();
    await running;
    await double.close();
  };
});
afterAll(() => stop?.());

/** One server-sent event as EventSource parses it (`event` is 'message' when unnamed), or a comment line. */
type Sse = { kind: 'event'; id: string | undefined; event: string; data: string } | { kind: 'comment'; text: string };

/** The events of a text/event-stream body, as they arrive. */
async function* sse(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Sse> {
  if (!body) throw new Error('no body');
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id: string | undefined;
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) yield { kind: 'comment', text: line.slice(1).trim() };
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) yield { kind: 'event', id, event, data: data.join('\n') };
    }
  }
}

/** Everything a feed's body gives until it closes: the items (checking each event's id is its offset), the named events and the comments. */
async function readAll(body: ReadableStream<Uint8Array> | null) {
  const items: FeedItem[] = [];
  const named: { event: string; data: unknown }[] = [];
  const comments: string[] = [];
  for await (const e of sse(body)) {
    if (e.kind === 'comment') comments.push(e.text);
    else if (e.event === 'message') {
      const item = JSON.parse(e.data) as FeedItem;
      expect(e.id).toBe(String(item.offset));
      items.push(item);
    } else named.push({ event: e.event, data: JSON.parse(e.data) });
  }
  return { items, named, comments };
}

async function whole(workflowId: string): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  for await (const item of troupe.stream(workflowId)) items.push(item);
  return items;
}

const writerText = (items: FeedItem[]) =>
  items
    .filter((i): i is Extract<FeedItem, { type: 'text' }> => i.type === 'text' && i.path[0] === 'writer')
    .map((i) => i.text)
    .join('');

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, ...body.error };
}

describe('a run feed as Server-Sent Events', () => {
  it('streams every item as an event whose id is its offset, the same items as run.stream(), then `end`', async () => {
    const run = await troupe.start('sse-pair', 'Write.', { workflowId: uniqueId('sse-pair') });
    const response = await feedResponse(troupe, run.workflowId, { heartbeatMs: 200 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('no-cache');
    const { items, named, comments } = await readAll(response.body);

    expect(items).toEqual(await whole(run.workflowId));
    expect(items.map((i) => i.offset)).toEqual(items.map((_, i) => i));
    expect(writerText(items)).toBe(words(30, 'essay'));
    // The stream ends with the root run's last item, then `end` naming it.
    expect(items.at(-1)).toMatchObject({ type: 'run-finished', path: [] });
    expect(named).toEqual([{ event: 'end', data: items.at(-1) }]);
    // The run took longer than the heartbeat interval: proxies saw keep-alive comments.
    expect(comments).toContain('keep-alive');
  });

  it('resumes after a Last-Event-ID with exactly the rest, and answers a reconnect after the end with `end` at once', async () => {
    const run = await troupe.start('sse-pair', 'Again.', { workflowId: uniqueId('sse-pair') });
    const first = await feedResponse(troupe, run.workflowId);
    const before: FeedItem[] = [];
    let lastEventId: string | undefined;
    for await (const e of sse(first.body)) {
      if (e.kind !== 'event') continue;
      before.push(JSON.parse(e.data) as FeedItem);
      lastEventId = e.id;
      // The connection drops in the middle of the writer's text.
      if (before.at(-1)?.type === 'text' && before.at(-1)?.path[0] === 'writer') break;
    }
    const rest = await readAll((await feedResponse(troupe, run.workflowId, { lastEventId })).body);
    const all = await whole(run.workflowId);
    expect(Number(lastEventId)).toBe(before.at(-1)?.offset);
    expect([...before, ...rest.items]).toEqual(all);
    expect(writerText([...before, ...rest.items])).toBe(words(30, 'essay'));

    // After the end: no items, just `end` with how the run ended, from a TroupeClient or a WorkflowClient.
    const final = all.at(-1);
    const startedAt = Date.now();
    const again = await readAll(
      (await feedResponse(temporal.env.client.workflow, run.workflowId, { lastEventId: String(final?.offset) })).body,
    );
    expect(again.items).toEqual([]);
    expect(again.named).toEqual([{ event: 'end', data: final }]);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    // `from` reads from an offset; 'now' on an ended run is just its end.
    expect((await readAll((await feedResponse(troupe, run.workflowId, { from: 3 })).body)).items).toEqual(all.slice(3));
    const now = await readAll((await feedResponse(troupe, run.workflowId, { from: 'now' })).body);
    expect(now).toMatchObject({ items: [], named: [{ event: 'end', data: final }] });
  });

  it('answers an unknown run with 404, and a bad Last-Event-ID or offset with 400, naming the problem', async () => {
    expect(await errorOf(await feedResponse(troupe, 'no-such-run-here'))).toMatchObject({
      status: 404,
      code: 'UNKNOWN_RUN',
      message: expect.stringContaining('no run "no-such-run-here"') as string,
    });
    const run = await troupe.start('sse-pair', 'Once.', { workflowId: uniqueId('sse-pair') });
    await run.result();
    expect(await errorOf(await feedResponse(troupe, run.workflowId, { lastEventId: 'abc' }))).toMatchObject({
      status: 400,
      code: 'FEED_OFFSET',
      message: expect.stringContaining('Last-Event-ID "abc"') as string,
    });
    expect(await errorOf(await feedResponse(troupe, run.workflowId, { lastEventId: '10000' }))).toMatchObject({
      status: 400,
      code: 'FEED_OFFSET',
      message: expect.stringContaining('offset 10001 is past the end of the feed') as string,
    });
    expect(await errorOf(await feedResponse(troupe, run.workflowId, { from: 'soon' }))).toMatchObject({
      status: 400,
      code: 'FEED_OFFSET',
      message: expect.stringContaining('"from" must be an offset') as string,
    });
  });

  describe("on Node's http", () => {
    let server: Server;
    let base: string;
    const served: Promise<void>[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        const id = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.split('/')[2] ?? '');
        served.push(serveFeed(req, res, troupe, id, { heartbeatMs: 200 }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('serves the feed, resuming from the Last-Event-ID header or the lastEventId query parameter, and refuses a missing run', async () => {
      const run = await troupe.start('sse-pair', 'Over http.', { workflowId: uniqueId('sse-pair') });
      const response = await fetch(`${base}/runs/${run.workflowId}/feed`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const { items, named } = await readAll(response.body);
      expect(items).toEqual(await whole(run.workflowId));
      expect(named).toEqual([{ event: 'end', data: items.at(-1) }]);

      const byHeader = await fetch(`${base}/runs/${run.workflowId}/feed?from=0`, { headers: { 'Last-Event-ID': '4' } });
      expect((await readAll(byHeader.body)).items).toEqual(items.slice(5));
      const byQuery = await fetch(`${base}/runs/${run.workflowId}/feed?lastEventId=6`);
      expect((await readAll(byQuery.body)).items).toEqual(items.slice(7));

      const missing = await fetch(`${base}/runs/no-such-run-here/feed`);
      expect(await errorOf(missing)).toMatchObject({ status: 404, code: 'UNKNOWN_RUN' });
      const bad = await fetch(`${base}/runs/${run.workflowId}/feed`, { headers: { 'Last-Event-ID': 'x1' } });
      expect(await errorOf(bad)).toMatchObject({ status: 400, code: 'FEED_OFFSET' });
    });

    it('stops reading the feed when the client disconnects', async () => {
      const run = await troupe.start('sse-slow', 'Slowly.', { workflowId: uniqueId('sse-slow') });
      const disconnect = new AbortController();
      const response = await fetch(`${base}/runs/${run.workflowId}/feed`, { signal: disconnect.signal });
      const serving = served.at(-1);
      for await (const e of sse(response.body)) if (e.kind === 'event' && e.data.includes('"type":"text"')) break;
      disconnect.abort();
      // The server's side ends within moments, while the run (3 s of text) is still writing.
      const ended = await Promise.race([serving?.then(() => 'ended'), sleep(1_500).then(() => 'still serving')]);
      expect(ended).toBe('ended');
      expect((await run.handle.describe()).status.name).toBe('RUNNING');
      await run.result();
    });
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

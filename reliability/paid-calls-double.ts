/**
 * The Messages API double of the reliability harness: answers from a script, like the test suite's
 * double, and counts every answer it delivers per model call (the run and the activity, which the
 * worker names in headers). An answer counts once its bytes are handed to the network: from then on
 * a real API would have charged for it, whether or not the worker lived to read it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  ACTIVITY_HEADER,
  RUN_HEADER,
  ScriptedMessages,
  type MessagesScript,
  type ScriptedResponse,
} from '../src/activities/index.js';

/** The worker process (pid) a request comes from. */
export const WORKER_HEADER = 'x-reliability-worker';

export interface PaidCallsDouble {
  url: string;
  /** Answers delivered, per model call ("<workflow id> <activity id>"). */
  answered: Map<string, number>;
  /** When each answer of a call was delivered (ms since the epoch), and to which worker process. */
  answeredAt: Map<string, { at: number; pid: number }[]>;
  /** Requests received (answered, or cut off by a kill before the answer). */
  requests(): number;
  /** Requests waiting for their answer right now. */
  waiting(): number;
  /** The delay before each answer: a range, so kills land before, during and after answers. */
  setDelay(minMs: number, maxMs: number): void;
  close(): Promise<void>;
}

export async function startPaidCallsDouble(script: MessagesScript): Promise<PaidCallsDouble> {
  const scripted = new ScriptedMessages(script);
  // A retried call gets the answer its first attempt got: results do not depend on where kills land.
  const replies = new Map<string, ScriptedResponse>();
  const answered = new Map<string, number>();
  const answeredAt = new Map<string, { at: number; pid: number }[]>();
  const sockets = new Set<Socket>();
  let delay = { min: 0, max: 0 };
  let requests = 0;
  let waiting = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: [], has_more: false, first_id: null, last_id: null }));
      return;
    }
    requests += 1;
    waiting += 1;
    res.once('close', () => (waiting -= 1));
    const call = `${headers[RUN_HEADER] ?? ''} ${headers[ACTIVITY_HEADER] ?? ''}`;
    let reply = replies.get(call);
    if (!reply) {
      reply = scripted.respond(JSON.parse(raw) as Parameters<ScriptedMessages['respond']>[0], headers);
      replies.set(call, reply);
    }
    const wait = delay.min + Math.random() * (delay.max - delay.min);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // A worker killed while waiting has closed its end: the answer would reach no one.
    if (res.destroyed || req.socket.destroyed || req.socket.readableEnded) return;
    if (reply.body === undefined && reply.chunks === undefined) return; // a hanging reply
    res.on('finish', () => {
      if (reply.status !== 200) return;
      answered.set(call, (answered.get(call) ?? 0) + 1);
      answeredAt.set(call, [...(answeredAt.get(call) ?? []), { at: Date.now(), pid: Number(headers[WORKER_HEADER]) }]);
    });
    if (reply.chunks) {
      // A streamed answer (the worker streams when its run does): its events, each after its delay.
      res.writeHead(reply.status, reply.headers);
      for (const chunk of reply.chunks) {
        if (chunk.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, chunk.delayMs));
        if (res.destroyed) return;
        res.write(chunk.data);
      }
      res.end();
      return;
    }
    res.writeHead(reply.status, reply.headers).end(reply.body);
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answered,
    answeredAt,
    requests: () => requests,
    waiting: () => waiting,
    setDelay(minMs, maxMs) {
      delay = { min: minMs, max: maxMs };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

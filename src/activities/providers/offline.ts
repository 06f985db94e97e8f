import Anthropic from '@anthropic-ai/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import { ScriptedMessages, type MessagesScript, type StreamChunk } from './scripted-messages.js';

/**
 * The offline provider: the real Anthropic client, whose HTTP layer is replaced (through the SDK's
 * `fetch` option) by scripted replies. Everything above HTTP (request building, response parsing,
 * streaming, error classes, abort signals) is the SDK's own, exactly as with Claude.
 * `tokenDelayMs` (default 0) is the wait before each delta of a streamed reply whose script sets none.
 */
export function createOfflineAnthropic(
  script: MessagesScript,
  options: { record?: boolean; tokenDelayMs?: number } = {},
): { anthropic: Anthropic; scripted: ScriptedMessages } {
  const scripted = new ScriptedMessages(script, options);
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? undefined;
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Parameters<
      ScriptedMessages['respond']
    >[0];
    const href = url instanceof Request ? url.url : url.toString();
    if (!href.includes('/v1/messages')) {
      return new Response(JSON.stringify({ data: [], has_more: false }), { status: 200 });
    }
    const reply = scripted.respond(body, headers);
    if (reply.body === undefined && reply.chunks === undefined) {
      await new Promise((_, reject) =>
        signal?.addEventListener('abort', () => reject(abortReason(signal)), { once: true }),
      );
    }
    if (reply.delayMs > 0) await sleep(reply.delayMs, undefined, signal ? { signal } : {});
    const content = reply.chunks ? streamBody(reply.chunks, signal) : reply.body;
    return new Response(content, { status: reply.status, headers: reply.headers });
  };
  const anthropic = new Anthropic({
    apiKey: 'offline',
    baseURL: 'http://offline.troupe.invalid',
    fetch,
    maxRetries: 0,
  });
  return { anthropic, scripted };
}

/**
 * A streamed body as a network would deliver it: each chunk after its delay. The request's abort
 * signal errors the body as fetch's own does, so the SDK sees the abort mid-stream.
 */
function streamBody(chunks: StreamChunk[], signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  let onAbort: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (!signal) return;
      onAbort = () => controller.error(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    },
    async pull(controller) {
      const chunk = chunks[next];
      if (chunk === undefined || signal?.aborted) {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) controller.error(abortReason(signal));
        else controller.close();
        return;
      }
      next += 1;
      if (chunk.delayMs > 0) await sleep(chunk.delayMs, undefined, signal ? { signal } : {});
      controller.enqueue(encoder.encode(chunk.data));
    },
    cancel() {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    },
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

import Anthropic from '@anthropic-ai/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import { ScriptedMessages, type MessagesScript } from './scripted-messages.js';

/**
 * The offline provider: the real Anthropic client, whose HTTP layer is replaced (through the SDK's
 * `fetch` option) by scripted replies. Everything above HTTP (request building, response parsing,
 * error classes, abort signals) is the SDK's own, exactly as with Claude.
 */
export function createOfflineAnthropic(
  script: MessagesScript,
  options: { record?: boolean } = {},
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
    if (reply.body === undefined) {
      await new Promise((_, reject) =>
        signal?.addEventListener(
          'abort',
          () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')),
          { once: true },
        ),
      );
    }
    if (reply.delayMs > 0) await sleep(reply.delayMs, undefined, signal ? { signal } : {});
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  };
  const anthropic = new Anthropic({
    apiKey: 'offline',
    baseURL: 'http://offline.troupe.invalid',
    fetch,
    maxRetries: 0,
  });
  return { anthropic, scripted };
}

import Anthropic from '@anthropic-ai/sdk';
import type { Message, MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_HEADER,
  ATTEMPT_HEADER,
  TURN_HEADER,
  createOfflineAnthropic,
  type MessagesScript,
  type ScriptedReply,
} from '../../src/activities/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';

// The Messages API double streams as the API does: the real SDK's MessageStream, over HTTP, assembles
// the same message `create` returns, and text arrives a delta at a time, spread by `tokenDelayMs`.
let double: MessagesApiDouble | undefined;
let twin: MessagesApiDouble | undefined;
afterEach(async () => {
  await Promise.all([double?.close(), twin?.close()]);
  double = twin = undefined;
});

/**
 * Two doubles with the same script: one answers `create`, the other `stream`, so that the double's
 * state (a cached prompt is written once, then read) is the same for both calls.
 */
async function twins(script: MessagesScript): Promise<[Anthropic, Anthropic]> {
  double = await startMessagesApiDouble(script);
  twin = await startMessagesApiDouble(script);
  return [double.client(), twin.client()];
}

const params: MessageCreateParamsNonStreaming = {
  model: 'claude-test',
  max_tokens: 100,
  system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'user', content: 'hello' }],
};
/** Turn 1, attempt 1 of agent "a": the same reply for both calls, ids included. */
const headers = { [AGENT_HEADER]: 'a', [TURN_HEADER]: '1', [ATTEMPT_HEADER]: '1' };
const twentyWords =
  'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty.';

/** What `messages.stream()` ends with, without the SDK's `parsed_output` (which `create` does not add). */
async function streamed(client: Anthropic, body = params, options = { headers }): Promise<Message> {
  const { parsed_output, ...message } = await client.messages.stream(body, options).finalMessage();
  expect(parsed_output).toBeNull();
  return message;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the call should have failed'),
    (error: unknown) => error,
  );
}

/** An event's data, as far as these tests read it. */
interface RawEvent {
  type: string;
  index?: number;
  message?: { content: unknown[]; stop_reason: string | null };
  content_block?: { type: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: { output_tokens: number; server_tool_use: unknown };
}

/** The server-sent events of a raw streamed request: [event name, data] in order. */
async function rawEvents(
  url: string,
  body: object,
): Promise<{ contentType: string | null; events: [string, RawEvent][] }> {
  const response = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const text = await response.text();
  const events = text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block): [string, RawEvent] => {
      const name = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      return [name, JSON.parse(data) as RawEvent];
    });
  return { contentType: response.headers.get('content-type'), events };
}

const answers: [string, ScriptedReply][] = [
  ['text', { text: 'The capital of France is Paris, a city on the Seine.', usage: { outputTokens: 13 } }],
  ['json', { json: { answer: 42, reasons: ['six times seven', 'a classic'], nested: { ok: true, none: null } } }],
  [
    'toolUse with text',
    {
      text: 'Let me look that up, and book it.',
      toolUse: [
        { name: 'lookup', input: { query: 'flights to Paris "next week"', limit: 3 } },
        { name: 'book', input: { seat: '12A', passengers: [{ name: 'Ada', age: 36 }] } },
      ],
    },
  ],
  [
    'serverToolUse',
    {
      serverToolUse: [
        { name: 'web_search', input: { query: 'tallest building' }, result: 'Burj Khalifa, 828 m' },
        { name: 'code_execution', input: { code: 'print(828 * 3.28)' }, result: '2715.84' },
      ],
      text: 'The tallest building is the Burj Khalifa, 828 m (about 2716 ft).',
    },
  ],
];

describe('the Messages API double, streaming', () => {
  it.each(answers)('streams a %s reply into the same message create returns', async (_, reply) => {
    const [plain, streaming] = await twins({ a: [reply, reply] });
    const created = await plain.messages.create(params, { headers });
    expect(await streamed(streaming)).toEqual(created);
    // Again, now that the system prompt is cached.
    expect(await streamed(streaming)).toEqual(await plain.messages.create(params, { headers }));
    expect(created.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(twin!.scripted.requests.map((r) => (r.body as { stream?: boolean }).stream)).toEqual([true, true]);
  });

  it('streams the same message for a request with an output format (the SDK parses nothing it has no parser for)', async () => {
    const [plain, streaming] = await twins({ a: [{ json: { answer: 42 } }] });
    const body: MessageCreateParamsNonStreaming = {
      ...params,
      output_config: {
        format: {
          type: 'json_schema',
          schema: { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] },
        },
      },
    };
    expect(await streamed(streaming, body)).toEqual(await plain.messages.create(body, { headers }));
  });

  it('sends the events the Messages API sends, in its order, as text/event-stream', async () => {
    double = await startMessagesApiDouble({
      a: [
        {
          serverToolUse: [{ name: 'web_search', input: { query: 'q' }, result: 'r' }],
          text: 'Found it: the answer.',
        },
      ],
    });
    const { contentType, events } = await rawEvents(double.url, params);
    expect(contentType).toMatch(/^text\/event-stream/);
    for (const [name, data] of events) expect(data.type).toBe(name); // each event names itself twice, as the API's do
    const names = events.map(([name]) => name).filter((name) => name !== 'ping');
    expect(names[0]).toBe('message_start');
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(events[0]![1].message?.content).toEqual([]);
    expect(events[0]![1].message?.stop_reason).toBeNull();

    const of = (index: number) => events.filter(([, data]) => data.index === index).map(([, data]) => data);
    // The server tool's use: its input arrives as JSON pieces.
    const use = of(0);
    expect(use[0]).toMatchObject({
      type: 'content_block_start',
      content_block: { type: 'server_tool_use', input: {} },
    });
    expect(
      use.slice(1, -1).every((e) => e.type === 'content_block_delta' && e.delta?.type === 'input_json_delta'),
    ).toBe(true);
    expect(
      JSON.parse(
        use
          .slice(1, -1)
          .map((e) => e.delta?.partial_json)
          .join(''),
      ),
    ).toEqual({ query: 'q' });
    expect(use.at(-1)).toEqual({ type: 'content_block_stop', index: 0 });
    // Its result comes whole in its start.
    expect(of(1).map((e) => e.type)).toEqual(['content_block_start', 'content_block_stop']);
    expect(of(1)[0]?.content_block?.type).toBe('web_search_tool_result');
    // The text, about a word a delta.
    const text = of(2);
    expect(text[0]).toMatchObject({ type: 'content_block_start', content_block: { type: 'text', text: '' } });
    const deltas = text.slice(1, -1).map((e) => e.delta?.text);
    expect(deltas).toEqual(['Found ', 'it: ', 'the ', 'answer.']);

    const [, delta] = events.find(([name]) => name === 'message_delta')!;
    expect(delta.delta?.stop_reason).toBe('end_turn');
    expect(delta.usage?.output_tokens).toBeGreaterThan(1);
    expect(delta.usage?.server_tool_use).toEqual({ web_search_requests: 1, web_fetch_requests: 0 });
  });

  it('answers a streamed request with a scripted error as a plain error, with its status and headers', async () => {
    const reply: ScriptedReply = { error: { status: 429, message: 'slow down', headers: { 'retry-after': '7' } } };
    double = await startMessagesApiDouble({ a: [reply, reply] });
    const client = double.client();
    const fromCreate = await rejection(client.messages.create(params, { headers }));
    const fromStream = await rejection(streamed(client));
    for (const error of [fromCreate, fromStream]) {
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      const failure = error as InstanceType<typeof Anthropic.RateLimitError>;
      expect(failure.status).toBe(429);
      expect(failure.headers?.get('retry-after')).toBe('7');
      expect(failure.message).toContain('slow down');
    }
  });

  it('breaks a streamed malformed reply mid-way, after some text, so the SDK throws', async () => {
    double = await startMessagesApiDouble({ a: [{ malformedBody: true }] });
    // The SDK logs a stream it cannot parse at error level: provoked here on purpose.
    const client = double.client().withOptions({ logLevel: 'off' });
    expect(await rejection(client.messages.create(params, { headers }))).toBeInstanceOf(SyntaxError);

    // The raw stream throws the parser's SyntaxError, as create does.
    const raw = await client.messages.create({ ...params, stream: true }, { headers });
    const seen: string[] = [];
    const fromRaw = await rejection(
      (async () => {
        for await (const event of raw) seen.push(event.type);
      })(),
    );
    expect(fromRaw).toBeInstanceOf(SyntaxError);
    expect(seen).toContain('content_block_delta');
    expect(seen).not.toContain('message_stop');

    // MessageStream wraps it: a plain AnthropicError whose cause is the SyntaxError.
    const texts: string[] = [];
    const stream = client.messages.stream(params, { headers }).on('text', (delta) => texts.push(delta));
    const fromStream = await rejection(stream.finalMessage());
    expect(fromStream).toBeInstanceOf(Anthropic.AnthropicError);
    expect(fromStream).not.toBeInstanceOf(Anthropic.APIError);
    expect((fromStream as { cause?: unknown }).cause).toBeInstanceOf(SyntaxError);
    expect(texts.join('')).toBe('The answer is ');
  });

  it('times a hanging streamed request out as create does', async () => {
    double = await startMessagesApiDouble({ a: [{ hang: true }] });
    const client = double.client();
    const fromCreate = await rejection(client.messages.create(params, { headers, timeout: 200 }));
    const fromStream = await rejection(client.messages.stream(params, { headers, timeout: 200 }).finalMessage());
    expect(fromCreate).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    expect(fromStream).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
  });

  it('spreads the text over time with tokenDelayMs, in order, a word at a time', async () => {
    double = await startMessagesApiDouble({ a: [{ text: twentyWords }] }, { tokenDelayMs: 30 });
    const started = Date.now();
    const arrivals: { delta: string; at: number }[] = [];
    const stream = double
      .client()
      .messages.stream(params, { headers })
      .on('text', (delta) => arrivals.push({ delta, at: Date.now() - started }));
    const final = await stream.finalMessage();
    const ended = Date.now() - started;

    expect(arrivals.map((a) => a.delta).join('')).toBe(twentyWords);
    expect(arrivals.length).toBeGreaterThanOrEqual(20);
    expect(final.content).toEqual([{ type: 'text', text: twentyWords, citations: null }]);
    const first = arrivals[0]!.at;
    const last = arrivals.at(-1)!.at;
    // 20 deltas 30 ms apart: the first comes long before the last, and they come at many distinct times.
    expect(last - first).toBeGreaterThanOrEqual(19 * 30 * 0.8);
    expect(new Set(arrivals.map((a) => a.at)).size).toBeGreaterThanOrEqual(10);
    expect(arrivals.every((a, i) => i === 0 || a.at >= arrivals[i - 1]!.at)).toBe(true);
    expect(ended - first).toBeGreaterThanOrEqual(400);
  });

  it("lets a reply's own tokenDelayMs win, and keeps delayMs as the wait before answering", async () => {
    double = await startMessagesApiDouble(
      { a: [{ text: twentyWords, tokenDelayMs: 0, delayMs: 300 }] },
      {
        tokenDelayMs: 200,
      },
    );
    const started = Date.now();
    const arrivals: number[] = [];
    await double
      .client()
      .messages.stream(params, { headers })
      .on('text', () => arrivals.push(Date.now() - started))
      .finalMessage();
    expect(arrivals[0]).toBeGreaterThanOrEqual(290);
    // With the default's 200 ms a delta, 20 deltas would take 4 s; the reply's 0 sends them together.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeLessThan(500);
  });

  it('stops streaming when the client aborts mid-way, with the SDK abort error', async () => {
    double = await startMessagesApiDouble({ a: [{ text: twentyWords }] }, { tokenDelayMs: 50 });
    const controller = new AbortController();
    const texts: string[] = [];
    const started = Date.now();
    const stream = double
      .client()
      .messages.stream(params, { headers, signal: controller.signal })
      .on('text', (delta) => {
        texts.push(delta);
        if (texts.length === 3) controller.abort();
      });
    expect(await rejection(stream.finalMessage())).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(20 * 50);
    expect(texts).toHaveLength(3);
  });
});

describe('the offline provider, streaming', () => {
  const script: MessagesScript = {
    a: [
      { text: twentyWords },
      { toolUse: [{ name: 'lookup', input: { query: 'x', page: 2 } }], text: 'Looking.' },
      { malformedBody: true },
    ],
  };

  it('streams each reply into the message create returns', async () => {
    const plain = createOfflineAnthropic(script).anthropic;
    const streaming = createOfflineAnthropic(script).anthropic.withOptions({ logLevel: 'off' });
    for (const turn of ['1', '2']) {
      const turnHeaders = { ...headers, [TURN_HEADER]: turn };
      const created = await plain.messages.create(params, { headers: turnHeaders });
      expect(await streamed(streaming, params, { headers: turnHeaders })).toEqual(created);
    }
    const fromStream = await rejection(
      streaming.messages.stream(params, { headers: { ...headers, [TURN_HEADER]: '3' } }).finalMessage(),
    );
    expect((fromStream as { cause?: unknown }).cause).toBeInstanceOf(SyntaxError);
  });

  it('spreads the text over time with its tokenDelayMs', async () => {
    const { anthropic } = createOfflineAnthropic(script, { tokenDelayMs: 30 });
    const started = Date.now();
    const arrivals: { delta: string; at: number }[] = [];
    await anthropic.messages
      .stream(params, { headers })
      .on('text', (delta) => arrivals.push({ delta, at: Date.now() - started }))
      .finalMessage();
    expect(arrivals.map((a) => a.delta).join('')).toBe(twentyWords);
    expect(arrivals.at(-1)!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(19 * 30 * 0.8);
    expect(new Set(arrivals.map((a) => a.at)).size).toBeGreaterThanOrEqual(10);
  });

  it('stops when aborted mid-stream, with the SDK abort error', async () => {
    const { anthropic } = createOfflineAnthropic(script, { tokenDelayMs: 50 });
    const controller = new AbortController();
    const texts: string[] = [];
    const started = Date.now();
    const stream = anthropic.messages.stream(params, { headers, signal: controller.signal }).on('text', (delta) => {
      texts.push(delta);
      if (texts.length === 3) controller.abort();
    });
    expect(await rejection(stream.finalMessage())).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(20 * 50);
    expect(texts).toHaveLength(3);
  });

  it('keeps delayMs and hanging replies cut short by an abort', async () => {
    const { anthropic } = createOfflineAnthropic({ a: [{ hang: true }] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(
      anthropic.messages.stream(params, { headers, signal: controller.signal }).finalMessage(),
    );
    expect(error).toBeInstanceOf(Anthropic.APIUserAbortError);
  });
});

import type { Message, MessageCreateParams } from '@anthropic-ai/sdk/resources/messages';
import { ActivityError } from '../errors.js';

/**
 * A scripted stand-in for the Messages API, answered per agent. It is the single source of the
 * scripting format: the offline demo provider serves it through the SDK's `fetch` option, and the
 * test suite's HTTP double serves it on a real port, so both exercise the real Anthropic client.
 * A request with `stream: true` is answered with server-sent events, as the Messages API streams.
 */

export interface ScriptedUsage {
  inputTokens?: number;
  outputTokens?: number;
}

interface ReplyTiming {
  /** Wait this long before answering (the request's abort signal still cuts it short). */
  delayMs?: number;
  /** For a streamed request: wait this long before each text or tool-input delta (overrides the double's default). */
  tokenDelayMs?: number;
}

/** A server tool use and what the API's tool gave back (search results, a page's text, a program's output). */
export interface ScriptedServerToolUse {
  name: 'web_search' | 'web_fetch' | 'code_execution';
  input: unknown;
  result?: string;
}

/** One scripted reply of the Messages API double: an answer (text, JSON, tool use, server tool use) or a failure. */
export type ScriptedReply =
  | (ReplyTiming & { text: string; usage?: ScriptedUsage })
  | (ReplyTiming & { json: unknown; usage?: ScriptedUsage })
  /** The model used Anthropic's server tools (the API ran them), then answered. */
  | (ReplyTiming & { serverToolUse: ScriptedServerToolUse[]; text: string; usage?: ScriptedUsage })
  /** The model asks for tool calls (several run in parallel), optionally saying something first. */
  | (ReplyTiming & { toolUse: { name: string; input: unknown }[]; text?: string; usage?: ScriptedUsage })
  | (ReplyTiming & { error: { status: number; message?: string; headers?: Record<string, string> } })
  /** A 200 whose body is not valid JSON at all. */
  | (ReplyTiming & { malformedBody: true })
  /** Never answers; only the client's timeout or abort ends the request. */
  | { hang: true };

/**
 * Replies per agent, in the order the agent's model turns in a run take them, so every run of a team
 * gets the same replies, on any worker, restarted or not. Turn n of an agent takes the n-th answer
 * (text, json, toolUse, serverToolUse); the failures listed before an answer (error, malformedBody,
 * hang) go to that turn's first attempts, one attempt each, and every later attempt of the turn gets
 * the answer again, as a model asked the same thing again would answer. The last reply repeats once
 * the list runs out. Keys: "team/agent", then "agent", then "*".
 */
export type MessagesScript = Record<string, ScriptedReply[]>;

/** A request the double received, with the team, agent and run it named in its headers. */
export interface RecordedRequest {
  team: string | undefined;
  agent: string | undefined;
  run: string | undefined;
  body: MessageCreateParams;
  headers: Record<string, string>;
  receivedAt: number;
}

/** One piece of a streamed body: written (or enqueued) `delayMs` after the piece before it. */
export interface StreamChunk {
  data: string;
  delayMs: number;
}

export interface ScriptedResponse {
  status: number;
  headers: Record<string, string>;
  /** The whole body, for a reply that is not streamed; absent when the reply streams or hangs. */
  body?: string;
  /** The body of a streamed reply (server-sent events), piece by piece; absent otherwise. */
  chunks?: StreamChunk[];
  /** Wait this long before answering (sending the status and headers). */
  delayMs: number;
}

export const AGENT_HEADER = 'x-troupe-agent';
export const TEAM_HEADER = 'x-troupe-team';
/** The run (workflow id) a request belongs to: scripted replies are consumed per run. */
export const RUN_HEADER = 'x-troupe-run';
/** The activity (stable across its attempts) a request belongs to: with the run, it names one model call. */
export const ACTIVITY_HEADER = 'x-troupe-activity';
/** Which of its agent's model turns in the run a request is (1, 2, ...), counted by the workflow: where the conversation stands. */
export const TURN_HEADER = 'x-troupe-turn';
/** The activity's attempt (1, 2, ...): a scripted failure takes one attempt of its turn. */
export const ATTEMPT_HEADER = 'x-troupe-attempt';

/** The error type a scripted provider answers with when a script has no reply for an agent. */
export const NO_SCRIPTED_REPLY = 'no_scripted_reply';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** How many (run, script key) places in the script a double remembers: a long-lived offline worker must not grow forever. */
const TRACKED_RUN_AGENTS = 10_000;

/** The scripted model behind the Messages API double and the offline Anthropic client: it answers each agent from a {@link MessagesScript}. */
export class ScriptedMessages {
  /** Every request, in order, for tests to inspect; none when made with `record: false`. */
  readonly requests: RecordedRequest[] = [];
  private readonly served = new Map<string, number>();
  private readonly cachedPrefixes = new Set<string>();
  private messageCount = 0;
  private readonly record: boolean;
  private readonly tokenDelayMs: number;

  /**
   * `record: false` for a double that serves for long (an offline worker, the benchmark): it keeps no requests.
   * `tokenDelayMs`: the wait before each delta of a streamed reply whose script does not set its own (default 0).
   */
  constructor(
    private readonly script: MessagesScript,
    options: { record?: boolean; tokenDelayMs?: number } = {},
  ) {
    this.record = options.record ?? true;
    this.tokenDelayMs = options.tokenDelayMs ?? 0;
  }

  /** How many requests reached the API for an agent (or for all agents). */
  callsTo(agent?: string): number {
    if (!this.record)
      throw new ActivityError(
        'REQUESTS_NOT_RECORDED',
        'This scripted double keeps no requests (record: false): make it with record: true to count them.',
      );
    return agent === undefined ? this.requests.length : this.requests.filter((r) => r.agent === agent).length;
  }

  /**
   * The reply to one request: the agent's next scripted reply for this run and turn. A request with
   * `stream: true` gets it as server-sent events (`chunks`); errors stay plain JSON with their status.
   */
  respond(body: MessageCreateParams, headers: Record<string, string>): ScriptedResponse {
    const team = headers[TEAM_HEADER];
    const agent = headers[AGENT_HEADER];
    const run = headers[RUN_HEADER];
    if (this.record) this.requests.push({ team, agent, run, body, headers, receivedAt: Date.now() });

    const key = [`${team}/${agent}`, agent, '*'].find((k) => k !== undefined && this.script[k]?.length);
    if (key === undefined) {
      const message = `no scripted reply for agent "${agent ?? '(none)'}" of team "${team ?? '(none)'}"`;
      return errorResponse(400, message, {}, NO_SCRIPTED_REPLY);
    }
    const replies = this.script[key] ?? [];
    const turn = positiveInteger(headers[TURN_HEADER]);
    const index =
      turn === undefined
        ? this.nextInOrder(`${run ?? ''}\n${key}`)
        : replyFor(replies, turn, positiveInteger(headers[ATTEMPT_HEADER]) ?? 1);
    const reply = replies[Math.min(index, replies.length - 1)] as ScriptedReply;
    const id = turn === undefined ? undefined : `t${turn}`;

    if ('hang' in reply) return { status: 200, headers: {}, delayMs: 0 };
    const delayMs = reply.delayMs ?? 0;
    const streamed = (body as { stream?: unknown }).stream === true;
    const tokenDelayMs = reply.tokenDelayMs ?? this.tokenDelayMs;
    if ('error' in reply) {
      const { status, message, headers: extra = {} } = reply.error;
      return { ...errorResponse(status, message ?? `scripted ${status}`, extra), delayMs };
    }
    if ('malformedBody' in reply) {
      if (streamed)
        return { status: 200, headers: SSE_HEADERS, chunks: brokenStream(body.model, tokenDelayMs), delayMs };
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id": "msg_', delayMs };
    }
    let message: Message;
    if ('serverToolUse' in reply) {
      message = this.message(body, reply.text, reply.usage, [], reply.serverToolUse, id);
    } else if ('toolUse' in reply) {
      message = this.message(body, reply.text ?? '', reply.usage, reply.toolUse, [], id);
    } else {
      const text = 'text' in reply ? reply.text : JSON.stringify(reply.json);
      message = this.message(body, text, reply.usage, [], [], id);
    }
    if (streamed) return { status: 200, headers: SSE_HEADERS, chunks: streamOf(message, tokenDelayMs), delayMs };
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(message), delayMs };
  }

  /** Requests that do not say their turn (made outside a Troupe activity) take the agent's replies in the order they arrive. */
  private nextInOrder(servedKey: string): number {
    const index = this.served.get(servedKey) ?? 0;
    this.served.delete(servedKey); // re-inserted last: the oldest run's place is the one forgotten
    this.served.set(servedKey, index + 1);
    if (this.served.size > TRACKED_RUN_AGENTS) this.served.delete(this.served.keys().next().value as string);
    return index;
  }

  /**
   * `turnId` names the agent's turn when the request says it: ids from it are the same on every worker,
   * so a turn answered again after a crash does not put a second id into the conversation.
   */
  private message(
    body: MessageCreateParams,
    text: string,
    usage: ScriptedUsage = {},
    toolUse: { name: string; input: unknown }[] = [],
    serverToolUse: ScriptedServerToolUse[] = [],
    turnId?: string,
  ): Message {
    const { cacheRead, cacheWrite, uncached } = this.cacheUsage(body);
    this.messageCount += 1;
    const id = turnId ?? String(this.messageCount);
    const calls = toolUse.map((call, i) => ({
      type: 'tool_use' as const,
      id: `toolu_scripted_${id}_${i}`,
      name: call.name,
      input: call.input,
      caller: null,
    }));
    const server = serverToolUse.flatMap((use, i) => serverToolBlocks(use, `srvtoolu_scripted_${id}_${i}`));
    const count = (name: string) => serverToolUse.filter((use) => use.name === name).length;
    return {
      id: `msg_scripted_${id}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [...server, ...(text || !calls.length ? [{ type: 'text', text, citations: null }] : []), ...calls],
      stop_reason: calls.length ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      container: null,
      stop_details: null,
      usage: {
        input_tokens: usage.inputTokens ?? uncached,
        output_tokens: usage.outputTokens ?? estimateTokens(text + JSON.stringify(toolUse)),
        cache_read_input_tokens: cacheRead,
        cache_creation_input_tokens: cacheWrite,
        cache_creation: null,
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: serverToolUse.length
          ? { web_search_requests: count('web_search'), web_fetch_requests: count('web_fetch') }
          : null,
        service_tier: 'standard',
        speed: null,
      },
    } as Message;
  }

  /** Mimics prompt caching: a system prompt marked cache_control is written once, then read. */
  private cacheUsage(body: MessageCreateParams): { cacheRead: number; cacheWrite: number; uncached: number } {
    const systemBlocks = typeof body.system === 'string' ? [{ text: body.system }] : (body.system ?? []);
    const cacheable = systemBlocks
      .filter((b) => 'cache_control' in b && b.cache_control)
      .map((b) => b.text)
      .join('\n');
    const systemTokens = estimateTokens(systemBlocks.map((b) => b.text).join('\n'));
    const messageTokens = estimateTokens(JSON.stringify(body.messages));
    if (!cacheable) return { cacheRead: 0, cacheWrite: 0, uncached: systemTokens + messageTokens };
    const cachedTokens = estimateTokens(cacheable);
    const uncached = systemTokens - cachedTokens + messageTokens;
    const key = `${body.model}\n${cacheable}`;
    if (this.cachedPrefixes.has(key)) return { cacheRead: cachedTokens, cacheWrite: 0, uncached };
    this.cachedPrefixes.add(key);
    return { cacheRead: 0, cacheWrite: cachedTokens, uncached };
  }
}

/** A failure answers one attempt; anything else is an answer. */
function isFailure(reply: ScriptedReply): boolean {
  return 'error' in reply || 'malformedBody' in reply || 'hang' in reply;
}

/**
 * The reply for an agent's turn and attempt, from the script alone: turn n's part of the list runs
 * from after the (n-1)-th answer up to the n-th; its attempts take its failures in order, then its answer.
 */
export function replyFor(replies: readonly ScriptedReply[], turn: number, attempt: number): number {
  let start = 0;
  for (let earlier = 1; earlier < turn && start < replies.length; earlier += 1) start = answerAt(replies, start) + 1;
  if (start >= replies.length) return replies.length - 1;
  return Math.min(start + attempt - 1, answerAt(replies, start));
}

/** Where the first answer at or after `from` is; the list's last reply when none is. */
function answerAt(replies: readonly ScriptedReply[], from: number): number {
  for (let i = from; i < replies.length; i += 1) if (!isFailure(replies[i] as ScriptedReply)) return i;
  return replies.length - 1;
}

function positiveInteger(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The blocks the API adds for a server tool it ran: the use, then its result. */
function serverToolBlocks(use: ScriptedServerToolUse, id: string): unknown[] {
  const result = use.result ?? '';
  const content =
    use.name === 'web_search'
      ? {
          type: 'web_search_tool_result',
          tool_use_id: id,
          content: [
            {
              type: 'web_search_result',
              title: result,
              url: 'https://example.invalid/result',
              encrypted_content: '',
              page_age: null,
            },
          ],
        }
      : use.name === 'web_fetch'
        ? {
            type: 'web_fetch_tool_result',
            tool_use_id: id,
            content: {
              type: 'web_fetch_result',
              url: 'https://example.invalid/page',
              retrieved_at: null,
              content: {
                type: 'document',
                source: { type: 'text', media_type: 'text/plain', data: result },
                title: null,
                citations: null,
              },
            },
          }
        : {
            type: 'code_execution_tool_result',
            tool_use_id: id,
            content: { type: 'code_execution_result', stdout: result, stderr: '', return_code: 0, content: [] },
          };
  return [{ type: 'server_tool_use', id, name: use.name, input: use.input, caller: null }, content];
}

function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string>,
  type = ERROR_TYPES[status] ?? 'api_error',
): ScriptedResponse {
  const body = { type: 'error', error: { type, message } };
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    delayMs: 0,
  };
}

const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

/** One server-sent event as the Messages API writes it: its name, then its JSON (which names it again). */
interface StreamEvent {
  event: string;
  data: string;
  /** A delta: it comes `tokenDelayMs` after the event before it; other events follow at once. */
  delta?: boolean;
}

function event(data: { type: string } & Record<string, unknown>, delta = false): StreamEvent {
  return { event: data.type, data: JSON.stringify(data), delta };
}

/**
 * A message as the Messages API streams it: `message_start` (no content yet), each content block's
 * start, deltas (text about a word at a time, tool input as pieces of its JSON; result blocks come
 * whole in their start) and stop, then `message_delta` (stop reason, usage) and `message_stop`.
 * The SDK's MessageStream assembles exactly `message` from it.
 */
function streamOf(message: Message, tokenDelayMs: number): StreamChunk[] {
  const events: StreamEvent[] = [
    event({
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        stop_details: null,
        usage: { ...message.usage, output_tokens: 1 },
      },
    }),
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(event({ type: 'content_block_start', index, content_block: { ...block, text: '' } }));
      if (index === 0) events.push(event({ type: 'ping' }));
      for (const text of pieces(block.text)) {
        events.push(event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }, true));
      }
    } else if (block.type === 'tool_use' || block.type === 'server_tool_use') {
      events.push(event({ type: 'content_block_start', index, content_block: { ...block, input: {} } }));
      const json = JSON.stringify(block.input) as string | undefined;
      for (const partial_json of json === undefined ? [] : slices(json, 16)) {
        events.push(
          event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }, true),
        );
      }
    } else {
      events.push(event({ type: 'content_block_start', index, content_block: block }));
    }
    events.push(event({ type: 'content_block_stop', index }));
  });
  const { usage } = message;
  events.push(
    event({
      type: 'message_delta',
      delta: {
        stop_reason: message.stop_reason,
        stop_sequence: message.stop_sequence,
        stop_details: message.stop_details,
        container: message.container,
      },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
        output_tokens_details: usage.output_tokens_details,
        server_tool_use: usage.server_tool_use,
      },
    }),
    event({ type: 'message_stop' }),
  );
  return chunked(events, tokenDelayMs);
}

/** A stream that starts well and breaks mid-way: an event whose JSON is cut off, so the client's parser throws. */
function brokenStream(model: string, tokenDelayMs: number): StreamChunk[] {
  const start = {
    id: 'msg_scripted_broken',
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: { input_tokens: 1, output_tokens: 1 },
  };
  const text = (t: string) =>
    event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } }, true);
  return chunked(
    [
      event({ type: 'message_start', message: start }),
      event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: null } }),
      text('The answer '),
      text('is '),
      {
        event: 'content_block_delta',
        data: '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_del',
        delta: true,
      },
    ],
    tokenDelayMs,
  );
}

/** Events as written: each delta in a chunk of its own after `tokenDelayMs`; every other event goes with the chunk before it. */
function chunked(events: StreamEvent[], tokenDelayMs: number): StreamChunk[] {
  const chunks: StreamChunk[] = [];
  for (const { event: name, data, delta } of events) {
    const text = `event: ${name}\ndata: ${data}\n\n`;
    const last = chunks.at(-1);
    if (last && !(delta && tokenDelayMs > 0)) last.data += text;
    else chunks.push({ data: text, delayMs: last ? tokenDelayMs : 0 });
  }
  return chunks;
}

/** Text as a model streams it: about a word at a time (a word with the space after it), long words in slices. */
function pieces(text: string): string[] {
  return text
    .split(/(?<=\s)(?=\S)/)
    .filter((word) => word !== '')
    .flatMap((word) => slices(word, 16));
}

/** `text` in slices of at most `size` characters (whole code points). */
function slices(text: string, size: number): string[] {
  const chars = Array.from(text);
  if (chars.length <= size) return text === '' ? [] : [text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/** Roughly four characters a token: enough for a double's usage figures to be plausible and non-zero. */
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

import { mcpTool, type MCPClientLike, type MCPToolLike } from '@anthropic-ai/sdk/helpers/beta/mcp';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, RESOURCE_TOOL, mcpToolName, type AgentSpec } from '../team/index.js';
import { answerKey, type AnswerJournal } from './answer-journal.js';
import { describeCauses } from './error-causes.js';
import { heartbeatUntilDone } from './heartbeat.js';
import { blocksText, mcpResultBlocks, type McpCallResult } from './mcp-result.js';
import { claimKey, type PayloadStore } from './payload-store.js';
import { INLINE_RESULT_BYTES, type ToolOutcome } from './tool-calls.js';
import { summarise } from '../protocol/text.js';

/** What a call asks of the MCP client (the SDK's `Client.callTool`). */
export interface McpCallOptions {
  timeout: number;
  resetTimeoutOnProgress: boolean;
  onprogress: (progress: { progress: number; total?: number | undefined; message?: string | undefined }) => void;
  signal: AbortSignal;
}

/** An open connection to an MCP server: its client, the allowed tools it listed, and a promise that settles if the connection is lost. */
export interface McpOpenConnection {
  client: {
    callTool(
      params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> },
      resultSchema: undefined,
      options: McpCallOptions,
    ): Promise<unknown>;
    readResource(
      params: { uri: string },
      options: Omit<McpCallOptions, 'onprogress' | 'resetTimeoutOnProgress'>,
    ): Promise<{ contents: unknown[] }>;
    close(): Promise<void>;
  };
  tools: ReadonlyMap<string, MCPToolLike>;
  /** The server's resources, listed when the definition asks for `resources`. */
  resources?: { uri: string; name: string; mimeType?: string | undefined }[];
  /** The text of the prompts the definition names, for the agent's system prompt. */
  promptText?: string;
  connectionLost: Promise<Error>;
}

/** A worker's link to one MCP server, which keeps it connected (see connectMcpServers). */
export interface McpServerLink {
  /** The open connection, opened again if it was lost; rejects, naming the server, while it cannot be reached. */
  open(): Promise<McpOpenConnection>;
  /** A call found the connection broken: drop it, so the next call opens it again. */
  lost(connection: McpOpenConnection, error: unknown): void;
  /**
   * The tools to offer the model: from the open connection, or, while the server is down, from the
   * last connection (the model can still answer, told its calls fail); rejects if it never answered.
   */
  offered(): Promise<McpOpenConnection>;
  /** Whether a call needs a person's approval, for a server whose approval is `when: 'requested'`. */
  needsApproval(tool: string, input: unknown): Promise<boolean>;
}

/** The MCP servers a worker links to, by name. */
export interface McpServers {
  link(server: string): McpServerLink | undefined;
}

export interface McpToolCallInput {
  team: string;
  agent: string;
  server: string;
  /** The tool's MCP name (the agent knows it after the server's prefix). */
  tool: string;
  toolUseId: string;
  input: unknown;
}

/** Where a call's identity travels in its `_meta`: the same on every attempt of one call. */
export const CALL_META = 'dev.troupe/call';

/** The MCP request gives up just before the activity's own timeout, so the server is told to stop (notifications/cancelled). */
const TIMEOUT_MARGIN = 0.95;

export function linkTo(mcp: McpServers | undefined, server: string): McpServerLink {
  const link = mcp?.link(server);
  if (!link) {
    throw ApplicationFailure.nonRetryable(
      `This worker has no MCP server "${server}": start the worker with the same teams module as the client.`,
      FailureType.UnknownAgent,
    );
  }
  return link;
}

/** The server cannot be reached: a retryable failure naming it (Temporal tries again by the server's retry policy). */
function unavailable(error: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    message: (error as Error).message,
    type: FailureType.McpServerUnavailable,
    ...(error instanceof Error ? { cause: error } : {}),
  });
}

/** The API's definitions of an agent's allowed MCP tools, made by the SDK's MCP helper from what each server listed, under the server's prefix. */
export async function mcpToolParams(mcp: McpServers | undefined, agent: AgentSpec): Promise<Tool[]> {
  const perServer = await Promise.all(
    (agent.mcp ?? []).map(async (server) => {
      const connection = await linkTo(mcp, server.name)
        .offered()
        .catch((error: unknown) => {
          throw unavailable(error);
        });
      const tools = server.tools.flatMap((name) => {
        const tool = connection.tools.get(name);
        if (!tool) return [];
        const { run: _run, parse: _parse, ...param } = mcpTool(tool, connection.client as unknown as MCPClientLike);
        return [{ ...param, name: mcpToolName(server, name) } as Tool];
      });
      return server.resources
        ? [...tools, resourceTool(mcpToolName(server, RESOURCE_TOOL), server.name, connection.resources ?? [])]
        : tools;
    }),
  );
  return perServer.flat();
}

/** How many resources the reader's description lists (the rest can still be read by URI). */
const LISTED_RESOURCES = 50;

function resourceTool(name: string, server: string, resources: NonNullable<McpOpenConnection['resources']>): Tool {
  const listed = resources
    .slice(0, LISTED_RESOURCES)
    .map((r) => `${r.uri} (${r.name}${r.mimeType ? `, ${r.mimeType}` : ''})`);
  const more = resources.length > LISTED_RESOURCES ? `, and ${resources.length - LISTED_RESOURCES} more` : '';
  return {
    name,
    description: `Read a resource of the MCP server "${server}" by its URI. It offers: ${listed.join('; ') || 'none listed'}${more}.`,
    input_schema: {
      type: 'object',
      properties: { uri: { type: 'string', description: 'The resource URI' } },
      required: ['uri'],
    },
  };
}

/** The text the agent's MCP servers add to its system prompt (their named prompts), if any. */
export async function mcpSystemText(mcp: McpServers | undefined, agent: AgentSpec): Promise<string> {
  const texts = await Promise.all(
    (agent.mcp ?? [])
      .filter((server) => server.prompts?.length)
      .map(async (server) => {
        const connection = await linkTo(mcp, server.name)
          .offered()
          .catch((error: unknown) => {
            throw unavailable(error);
          });
        return connection.promptText ?? '';
      }),
  );
  return texts.filter(Boolean).join('\n\n');
}

/**
 * Calls one MCP tool. The call's timeout is the MCP request's; the server's progress notifications
 * reset it and heartbeat the activity; a cancelled or timed-out activity tells the server to stop.
 * A result the server marks as an error, or a call it refuses, goes back to the model as an error
 * result; a lost connection is retried by Temporal, after an HTTP session the server no longer
 * knows is opened again once here (the server refused the call, so the tool did not run). Whatever
 * the result holds reaches the model in the blocks that carry it, never as a failure after the tool ran.
 */
export function createRunMcpTool({
  mcp,
  payloads,
  answers,
}: {
  mcp: McpServers | undefined;
  payloads: PayloadStore;
  answers?: AnswerJournal | undefined;
}) {
  // The journal keeps any JSON answer: here, what an MCP tool returned.
  const results = answers as unknown as AnswerJournal<McpCallResult> | undefined;
  return async function runMcpTool(call: McpToolCallInput): Promise<ToolOutcome> {
    const context = Context.current();
    const link = linkTo(mcp, call.server);
    // A result that reached a worker which then could not report it (it died, or Temporal was down) is not asked for again.
    const key = results
      ? answerKey(context.info, { mcpServer: call.server, tool: call.tool, input: call.input })
      : undefined;
    const journaled = key ? await results?.get(key).catch(() => undefined) : undefined;
    if (journaled) {
      context.log.info(
        `Reused the result of MCP tool "${call.tool}" journaled by an earlier attempt: the tool is not called again`,
        { attempt: context.info.attempt },
      );
      return outcome(call.toolUseId, mcpResultBlocks(journaled), journaled.isError === true, payloads);
    }
    let result: McpCallResult;
    for (let attempt = 1; ; attempt += 1) {
      const connection = await link.open().catch((error: unknown) => {
        throw unavailable(error);
      });
      const name = call.tool;
      if (!connection.tools.has(name) && !(name === RESOURCE_TOOL && connection.resources))
        throw ApplicationFailure.nonRetryable(
          `MCP server "${call.server}" offers no tool "${name}" to agents.`,
          FailureType.UnknownAgent,
        );
      try {
        result =
          name === RESOURCE_TOOL && connection.resources
            ? await readOnce(connection, call.input, context)
            : await callOnce(connection, name, call.input, context);
        break;
      } catch (error) {
        if (context.cancellationSignal.aborted) throw error;
        const refused = refusal(error);
        if (refused !== undefined) return outcome(call.toolUseId, [{ type: 'text', text: refused }], true, payloads);
        if (isTimeout(error)) {
          throw ApplicationFailure.create({
            message: `MCP tool "${name}" of server "${call.server}" did not answer within ${context.info.startToCloseTimeoutMs} ms (its timeout)`,
            type: FailureType.McpCallTimedOut,
          });
        }
        link.lost(connection, error);
        if (attempt === 1 && isSessionRejected(error)) continue; // the server never ran it: open a new session and ask again
        throw unavailable(
          Object.assign(
            new Error(`MCP server "${call.server}" was lost during the call of "${name}": ${describeCauses(error)}`),
            { cause: error },
          ),
        );
      }
    }
    if (key)
      await results
        ?.put(key, result)
        .catch(
          (error: unknown) =>
            void context.log.warn(
              `The MCP result could not be journaled; a retry of this call would run the tool again: ${(error as Error).message}`,
            ),
        );
    return outcome(call.toolUseId, mcpResultBlocks(result), result.isError === true, payloads);
  };
}

async function callOnce(
  connection: McpOpenConnection,
  name: string,
  input: unknown,
  context: Context,
): Promise<McpCallResult> {
  const stopHeartbeating = heartbeatUntilDone(context, 'waitingForMcpMs');
  try {
    // The call's identity (the run and the activity, the same on every attempt), for servers that deduplicate calls.
    const _meta = { [CALL_META]: `${context.info.workflowExecution?.workflowId ?? ''}/${context.info.activityId}` };
    const call = connection.client.callTool(
      { name, arguments: (input ?? {}) as Record<string, unknown>, _meta },
      undefined,
      {
        timeout: Math.max(1, Math.floor(context.info.startToCloseTimeoutMs * TIMEOUT_MARGIN)),
        resetTimeoutOnProgress: true,
        onprogress: (progress) =>
          context.heartbeat({ progress: progress.progress, total: progress.total, message: progress.message }),
        signal: context.cancellationSignal,
      },
    );
    const lost = connection.connectionLost.then((error) => Promise.reject(error));
    return (await Promise.race([call, lost])) as McpCallResult;
  } finally {
    stopHeartbeating();
  }
}

/** Reads a resource for the resource tool: its contents as the blocks a tool result carries. */
async function readOnce(connection: McpOpenConnection, input: unknown, context: Context): Promise<McpCallResult> {
  const uri = (input as { uri?: unknown } | undefined)?.uri;
  if (typeof uri !== 'string' || !uri)
    return { content: [{ type: 'text', text: 'give { uri: "the resource URI" }' }], isError: true };
  const read = connection.client.readResource(
    { uri },
    {
      timeout: Math.max(1, Math.floor(context.info.startToCloseTimeoutMs * TIMEOUT_MARGIN)),
      signal: context.cancellationSignal,
    },
  );
  const lost = connection.connectionLost.then((error) => Promise.reject(error));
  const { contents } = await Promise.race([read, lost]);
  return { content: contents.map((resource) => ({ type: 'resource', resource })) };
}

/** JSON-RPC errors by which a server refuses a call it did not run (bad arguments, an unknown or unsupported request, an unknown resource). */
const REFUSALS = new Set([-32600, -32601, -32602, -32002]);

function refusal(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return (error as Error).name === 'McpError' && typeof code === 'number' && REFUSALS.has(code)
    ? `the MCP server refused the call: ${(error as Error).message}`
    : undefined;
}

function isTimeout(error: unknown): boolean {
  return (error as Error).name === 'McpError' && (error as { code?: unknown }).code === -32001;
}

/** A Streamable HTTP server that restarted answers 404 (or 400 "no valid session ID") to the old session's requests. */
function isSessionRejected(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    (error as Error).name === 'StreamableHTTPError' &&
    (code === 404 || (code === 400 && /session/i.test((error as Error).message)))
  );
}

async function outcome(
  toolUseId: string,
  blocks: Awaited<ReturnType<typeof mcpResultBlocks>>,
  isError: boolean,
  payloads: PayloadStore,
): Promise<ToolOutcome> {
  const text = blocksText(blocks);
  const onlyText = blocks.every((b) => b.type === 'text');
  const content = onlyText ? text : blocks;
  const bytes = Buffer.byteLength(typeof content === 'string' ? content : JSON.stringify(content));
  if (bytes <= INLINE_RESULT_BYTES) return { toolUseId, isError, content, bytes, preview: summarise(text, 120) };
  const ref = claimKey('mcp');
  await payloads.put(ref, content);
  return { toolUseId, isError, ref, bytes, preview: summarise(text, 120) };
}

import { mcpTool, type MCPClientLike, type MCPToolLike } from '@anthropic-ai/sdk/helpers/beta/mcp';
import { ToolError } from '@anthropic-ai/sdk/lib/tools/ToolError';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type AgentSpec } from '../team/index.js';
import { heartbeatUntilDone } from './heartbeat.js';
import { claimKey, type PayloadStore } from './payload-store.js';
import { INLINE_RESULT_BYTES, type ToolOutcome } from './tool-calls.js';
import { summarise } from '../protocol/text.js';

/** The MCP servers a worker has connected to (see connectMcpServers), by name. */
export interface McpServers {
  get(server: string): { client: MCPClientLike; tools: ReadonlyMap<string, MCPToolLike> } | undefined;
}

export interface McpToolCallInput {
  team: string;
  agent: string;
  server: string;
  tool: string;
  toolUseId: string;
  input: unknown;
}

function connection(mcp: McpServers | undefined, server: string) {
  const found = mcp?.get(server);
  if (!found) {
    throw ApplicationFailure.nonRetryable(`This worker is not connected to MCP server "${server}": start the worker with the same teams module as the client.`, FailureType.UnknownAgent);
  }
  return found;
}

/** The API's definitions of an agent's allowed MCP tools, made by the SDK's MCP helper from what the server listed. */
export function mcpToolParams(mcp: McpServers | undefined, agent: AgentSpec): Tool[] {
  return (agent.mcp ?? []).flatMap((server) => {
    const { client, tools } = connection(mcp, server.name);
    return server.tools.flatMap((name) => {
      const tool = tools.get(name);
      if (!tool) return [];
      const { run: _run, parse: _parse, ...param } = mcpTool(tool, client);
      return [param as Tool];
    });
  });
}

/**
 * Calls one MCP tool, through the SDK's MCP helper. A result the server marks as an error goes back
 * to the model as an error result; a call that throws (the server is gone) is retried by Temporal.
 */
export function createRunMcpTool({ mcp, payloads }: { mcp: McpServers | undefined; payloads: PayloadStore }) {
  return async function runMcpTool(call: McpToolCallInput): Promise<ToolOutcome> {
    const { client, tools } = connection(mcp, call.server);
    const tool = tools.get(call.tool);
    if (!tool) throw ApplicationFailure.nonRetryable(`MCP server "${call.server}" offers no tool "${call.tool}" to agents.`, FailureType.UnknownAgent);
    let text: string;
    let isError = false;
    const stopHeartbeating = heartbeatUntilDone(Context.current(), 'runningMs');
    try {
      text = asText(await mcpTool(tool, client).run(call.input as Record<string, unknown>));
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      [text, isError] = [asText(error.content), true];
    } finally {
      stopHeartbeating();
    }
    const bytes = Buffer.byteLength(text);
    if (isError || bytes <= INLINE_RESULT_BYTES) return { toolUseId: call.toolUseId, isError, content: text, bytes, preview: summarise(text, 120) };
    const ref = claimKey('mcp');
    await payloads.put(ref, text);
    return { toolUseId: call.toolUseId, isError, ref, bytes, preview: summarise(text, 120) };
  };
}

/** The text of an MCP result: its text blocks, with other blocks named. */
function asText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return JSON.stringify(content);
  return content.map((block: { type?: string; text?: string }) => (block.type === 'text' ? (block.text ?? '') : `[${block.type ?? 'content'}]`)).join('\n');
}

import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { FailureType, type TeamRegistry, type ToolDefinition } from '../team/index.js';
import { heartbeatUntilDone } from './heartbeat.js';
import { linkTo, type McpServers } from './run-mcp-tool.js';
import { claimKey, type PayloadStore } from './payload-store.js';
import { INLINE_RESULT_BYTES, type ToolOutcome } from './tool-calls.js';
import { summarise } from '../protocol/text.js';

export interface ToolCallInput {
  team: string;
  agent: string;
  tool: string;
  toolUseId: string;
  input: unknown;
}

export interface ToolActivityDeps {
  teams: TeamRegistry;
  payloads: PayloadStore;
}

/** Finds the worker's definition of a tool, or fails for good: the worker runs another teams module. */
export function findTool(teams: TeamRegistry, input: { team: string; agent: string; tool: string }): ToolDefinition {
  const tool = teams.find(input.team)?.agent(input.agent)?.tool(input.tool);
  if (!tool) {
    throw ApplicationFailure.nonRetryable(
      `This worker does not know tool "${input.tool}" of agent "${input.agent}" (team "${input.team}"): start the worker with the same teams module as the client.`,
      FailureType.UnknownAgent,
    );
  }
  return tool;
}

/**
 * Runs one tool call. Input the tool's schema refuses, and output its output schema refuses, come
 * back as error results for the model; a tool that throws is retried by the tool's own policy (the
 * workflow turns a final failure into an error result). A large result is stored by reference.
 */
export function createRunTool({ teams, payloads }: ToolActivityDeps) {
  return async function runTool(call: ToolCallInput): Promise<ToolOutcome> {
    const tool = findTool(teams, call);
    // The SDK's zod tool helper validates the arguments exactly as its own tool runner would.
    const runnable = betaZodTool({
      name: tool.spec.name,
      description: tool.spec.description,
      inputSchema: tool.inputSchema as z.ZodObject,
      run: () => '',
    });
    let args: unknown;
    try {
      args = runnable.parse(call.input);
    } catch (error) {
      return errorOutcome(
        call.toolUseId,
        `invalid input for tool "${call.tool}": ${error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message}`,
      );
    }
    const stopHeartbeating = heartbeatUntilDone(Context.current(), 'runningMs');
    let result: unknown;
    try {
      result = await tool.run(args);
    } finally {
      stopHeartbeating();
    }
    if (tool.outputSchema) {
      const checked = tool.outputSchema.safeParse(result);
      if (!checked.success)
        return errorOutcome(
          call.toolUseId,
          `tool "${call.tool}" returned output outside its schema: ${z.prettifyError(checked.error)}`,
        );
    }
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    const bytes = Buffer.byteLength(text);
    if (bytes <= INLINE_RESULT_BYTES)
      return { toolUseId: call.toolUseId, isError: false, content: text, bytes, preview: summarise(text, 120) };
    const ref = claimKey('tool');
    await payloads.put(ref, text);
    return { toolUseId: call.toolUseId, isError: false, ref, bytes, preview: summarise(text, 120) };
  };
}

/**
 * Whether a call needs a person's approval: a tool's `needsApproval` function, or an MCP server's
 * (`server` given, `tool` its MCP name) function or the tool's destructive hint. Runs in the worker.
 */
export function createToolNeedsApproval({ teams, mcp }: { teams: TeamRegistry; mcp?: McpServers | undefined }) {
  return async function toolNeedsApproval(
    call: Omit<ToolCallInput, 'toolUseId'> & { server?: string },
  ): Promise<boolean> {
    if (call.server !== undefined) return linkTo(mcp, call.server).needsApproval(call.tool, call.input);
    const tool = findTool(teams, call);
    return tool.needsApproval ? Boolean(await tool.needsApproval(call.input)) : true;
  };
}

function errorOutcome(toolUseId: string, message: string): ToolOutcome {
  return {
    toolUseId,
    isError: true,
    content: message,
    bytes: Buffer.byteLength(message),
    preview: summarise(message, 120),
  };
}

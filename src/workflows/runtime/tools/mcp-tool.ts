import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities, ToolOutcome, ToolUse } from '../../../activities/index.js';
import type { AgentSpec } from '../../../team/spec.js';
import type { McpServerSpec } from '../../../team/mcp.js';
import { mcpToolName, mcpToolNames, mcpToolOf } from '../../../team/mcp-names.js';
import type { RunSpec } from '../../../protocol/run-spec.js';
import { toolActivityOptions } from '../agent-options.js';
import { isPatched } from '../patches.js';
import { summarise } from '../prompt.js';
import type { ToolApproval, ToolCall, ToolKind } from './tool-kind.js';
import { failedCall } from './tool-outcome.js';

const { mcpToolsSize } = proxyLocalActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });

/** MCP servers' tools: each call is a `runMcpTool` activity with the server's timeout and retry policy. */
export class McpTools implements ToolKind {
  constructor(private readonly run: RunSpec) {}

  has(agent: AgentSpec): boolean {
    return agent.mcp.length > 0;
  }

  owns(agent: AgentSpec, name: string): boolean {
    return serverOf(agent, name) !== undefined;
  }

  names(agent: AgentSpec): string[] {
    return agent.mcp.flatMap((s) => mcpToolNames(s).map((tool) => mcpToolName(s, tool)));
  }

  /**
   * The servers' tool definitions (and instructions) as the worker lists them: only the worker
   * connects to the servers, so it is asked, in a local activity.
   */
  estimate(agent: AgentSpec): number | Promise<number> {
    if (!isPatched('troupe-mcp-tools-estimate')) return 0;
    return mcpToolsSize({ team: this.run.team.name, agent: agent.name });
  }

  /** A server's approval is one spec for all its tools, each asked at its own gate. */
  approval(agent: AgentSpec, use: ToolUse): ToolApproval | undefined {
    const server = serverOf(agent, use.name) as McpServerSpec;
    if (!server.approval) return undefined;
    return {
      spec: { ...server.approval, gate: `tool-${use.name}` },
      asking: {
        team: this.run.team.name,
        agent: agent.name,
        server: server.name,
        tool: mcpToolOf(server, use.name) ?? use.name,
        input: use.input,
      },
      onRefused: server.onRefused,
    };
  }

  async dispatch({ agent, use }: ToolCall): Promise<ToolOutcome> {
    const server = serverOf(agent, use.name) as McpServerSpec;
    const { runMcpTool } = proxyActivities<Activities>(toolActivityOptions(server, agent, this.run.team));
    try {
      return await runMcpTool.executeWithOptions(
        { summary: `${agent.name} → ${server.name}:${use.name}(${summarise(use.input, 80)})` },
        [
          {
            team: this.run.team.name,
            agent: agent.name,
            server: server.name,
            tool: mcpToolOf(server, use.name) ?? use.name,
            toolUseId: use.id,
            input: use.input,
          },
        ],
      );
    } catch (error) {
      return failedCall(error, use, `MCP tool "${use.name}" of "${server.name}"`);
    }
  }
}

/** The MCP server whose allowed tools include `name`, if any. */
function serverOf(agent: AgentSpec, name: string): McpServerSpec | undefined {
  return agent.mcp.find((server) => mcpToolOf(server, name) !== undefined);
}

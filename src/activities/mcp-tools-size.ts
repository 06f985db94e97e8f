import type { TeamRegistry } from '../team/index.js';
import { tokensAtMost } from '../protocol/tokens-at-most.js';
import { mcpSystemText, mcpToolParams, type McpServers } from './run-mcp-tool.js';

/**
 * How many tokens, at most, an agent's MCP tools add to its first request: their definitions and
 * the servers' prompt text, as the model turn would send them. Only the worker connects to the
 * servers, so the workflow asks here (a local activity) before holding the turn's worst case under
 * a token or USD cap.
 */
export function createMcpToolsSize({ teams, mcp }: { teams: TeamRegistry; mcp?: McpServers | undefined }) {
  return async function mcpToolsSize({ team, agent }: { team: string; agent: string }): Promise<number> {
    const spec = teams.find(team)?.agent(agent)?.spec;
    if (!spec || spec.mcp.length === 0) return 0;
    const [tools, text] = await Promise.all([mcpToolParams(mcp, spec), mcpSystemText(mcp, spec)]);
    return tokensAtMost(tools) + tokensAtMost(text);
  };
}

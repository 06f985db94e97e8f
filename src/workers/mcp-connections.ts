import type { MCPClientLike, MCPToolLike } from '@anthropic-ai/sdk/helpers/beta/mcp';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { TroupeError, describeConnection, teamTree, type McpServerDefinition, type TeamRegistry } from '../team/index.js';

/** A connected MCP server: its client and the tools it listed that agents may use. */
export interface McpServerConnection {
  client: MCPClientLike;
  tools: ReadonlyMap<string, MCPToolLike>;
}

/** The worker's open MCP connections, by server name; closed when the worker stops. */
export interface McpConnections {
  get(server: string): McpServerConnection | undefined;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 20_000;

/**
 * Connects to every MCP server the teams' agents use, lists each one's tools once, and checks the
 * allow-lists against them, so a server that cannot start or answer, or lacks a tool, is an error
 * at worker start naming the server and its command, not a failure in the middle of a run.
 */
export async function connectMcpServers(teams: TeamRegistry): Promise<McpConnections> {
  const servers = new Map<string, McpServerDefinition>();
  for (const team of teams.names.flatMap((name) => teamTree(teams.get(name)))) {
    for (const agent of team.spec.agents) {
      for (const server of team.agent(agent.name)?.mcpServers ?? []) {
        const known = servers.get(server.spec.name);
        if (known && describeConnection(known.connection) !== describeConnection(server.connection)) {
          throw new TroupeError('MCP_SERVER_CONFLICT', `Two MCP servers are named "${server.spec.name}" (${describeConnection(known.connection)}; ${describeConnection(server.connection)}): give each its own name.`);
        }
        servers.set(server.spec.name, { spec: { ...server.spec, tools: [...new Set([...(known?.spec.tools ?? []), ...server.spec.tools])] }, connection: server.connection });
      }
    }
  }
  const open = new Map<string, McpServerConnection & { close: () => Promise<void> }>();
  const close = async () => {
    await Promise.all([...open.values()].map((c) => c.close().catch(() => undefined)));
  };
  try {
    for (const server of servers.values()) open.set(server.spec.name, await connect(server));
  } catch (error) {
    await close();
    throw error;
  }
  return { get: (name) => open.get(name), close };
}

async function connect(server: McpServerDefinition): Promise<McpServerConnection & { close: () => Promise<void> }> {
  const where = `MCP server "${server.spec.name}" (${describeConnection(server.connection)})`;
  let sdk: { Client: typeof Client };
  try {
    sdk = await import('@modelcontextprotocol/sdk/client/index.js');
  } catch {
    throw new TroupeError('MCP_SDK_MISSING', `${where} needs the MCP SDK: npm install @modelcontextprotocol/sdk`);
  }
  const client = new sdk.Client({ name: 'troupe-worker', version: '1' });
  const transport =
    server.connection.kind === 'stdio'
      ? new (await import('@modelcontextprotocol/sdk/client/stdio.js')).StdioClientTransport({
          command: server.connection.command,
          args: server.connection.args,
          ...(server.connection.env ? { env: { ...(process.env as Record<string, string>), ...server.connection.env } } : {}),
          ...(server.connection.cwd ? { cwd: server.connection.cwd } : {}),
          stderr: 'ignore',
        })
      : new (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport(new URL(server.connection.url));
  let listed: MCPToolLike[];
  try {
    await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
    listed = (await client.listTools(undefined, { timeout: CONNECT_TIMEOUT_MS })).tools;
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new TroupeError('MCP_SERVER_UNAVAILABLE', `${where} could not start or answer: ${(error as Error).message}. Check the command (or URL) and that the server runs on its own.`);
  }
  const tools = new Map(listed.map((tool) => [tool.name, tool]));
  const missing = server.spec.tools.filter((name) => !tools.has(name));
  if (missing.length) {
    await client.close().catch(() => undefined);
    throw new TroupeError('MCP_TOOL_MISSING', `${where} has no tool ${missing.map((m) => `"${m}"`).join(', ')}: it lists ${[...tools.keys()].join(', ') || 'none'}. Fix the allow-list (tools).`);
  }
  return { client: client as unknown as MCPClientLike, tools: new Map([...tools].filter(([name]) => server.spec.tools.includes(name))), close: () => client.close() };
}

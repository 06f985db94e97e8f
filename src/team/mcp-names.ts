/**
 * How agents name an MCP server's tools. No zod here: workflow code asks these at a run's start,
 * and a module that builds schemas when it loads costs every run (see run-start-modules.test.ts).
 */

/** What the Messages API accepts as a tool name. */
export const API_TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/** The tool that reads a server's resources, offered when its definition asks for `resources`. */
export const RESOURCE_TOOL = 'read_resource';

interface NamedServer {
  tools: string[];
  prefix?: string | undefined;
  resources?: true | undefined;
}

/** Every tool a server offers agents, by MCP name: its allow-list, and the resource reader if asked for. */
export function mcpToolNames(server: Pick<NamedServer, 'tools' | 'resources'>): string[] {
  return server.resources ? [...server.tools, RESOURCE_TOOL] : server.tools;
}

/** The name agents see a server's tool by: its MCP name, after the server's prefix. */
export function mcpToolName(server: Pick<NamedServer, 'prefix'>, tool: string): string {
  return server.prefix === undefined ? tool : `${server.prefix}_${tool}`;
}

/** The MCP name of the tool agents know as `name`, if the server offers it. */
export function mcpToolOf(server: NamedServer, name: string): string | undefined {
  return mcpToolNames(server).find((tool) => mcpToolName(server, tool) === name);
}

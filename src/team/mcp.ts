import { z } from 'zod';
import { DurationSchema, HeartbeatTimeoutSchema } from './duration.js';
import { TeamSpecError } from './errors.js';
import { NameSchema } from './names.js';
import { RetrySpecSchema } from './retry.js';

/**
 * An MCP server whose tools agents may call. The worker connects to it (a command over stdio, or a
 * Streamable HTTP URL) and lists its tools once; each call runs as its own activity. Only the tools
 * on the allow-list are offered to agents.
 */
export const McpServerSpecSchema = z
  .object({
    name: NameSchema,
    /** The server's tools agents may use, by their MCP names. */
    tools: z.array(z.string().min(1)).min(1, 'list the tools agents may use: tools is an allow-list'),
    /** Start-to-close timeout of one attempt of a call. */
    timeout: DurationSchema.default(60_000),
    /** How soon a call whose worker died is retried (the worker heartbeats while it waits); as for tools, default 10 s, `false` for none. */
    heartbeatTimeout: HeartbeatTimeoutSchema.optional(),
    retry: RetrySpecSchema.default({ maximumAttempts: 3, initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 30_000 }),
  })
  .strict();

export type McpServerSpec = z.infer<typeof McpServerSpecSchema>;

export type McpConnection = { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string } | { kind: 'http'; url: string };

export interface McpServerConfig extends Omit<z.input<typeof McpServerSpecSchema>, never> {
  /** A command the worker starts and talks to over stdio, e.g. 'npx' with args ['-y', 'some-mcp-server']. */
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Or the URL of a Streamable HTTP MCP server. */
  url?: string;
}

export interface McpServerDefinition {
  readonly spec: McpServerSpec;
  /** How the worker reaches the server; not part of the run spec. */
  readonly connection: McpConnection;
}

export function defineMcpServer(config: McpServerConfig): McpServerDefinition {
  const subject = `MCP server "${String(config.name)}"`;
  const { command, args = [], env, cwd, url, ...rest } = config;
  if ((command === undefined) === (url === undefined)) throw new TeamSpecError(subject, ['give either command (stdio) or url (Streamable HTTP), not both or neither']);
  if (url !== undefined && !URL.canParse(url)) throw new TeamSpecError(subject, [`url: "${url}" is not a URL`]);
  const parsed = McpServerSpecSchema.safeParse(rest);
  if (!parsed.success) throw new TeamSpecError(subject, parsed.error.issues);
  const connection: McpConnection = command !== undefined ? { kind: 'stdio', command, args, ...(env ? { env } : {}), ...(cwd ? { cwd } : {}) } : { kind: 'http', url: url ?? '' };
  return { spec: parsed.data, connection };
}

/** How a connection is named in messages: the command line, or the URL. */
export function describeConnection(connection: McpConnection): string {
  return connection.kind === 'stdio' ? [connection.command, ...connection.args].join(' ') : connection.url;
}

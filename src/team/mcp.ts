import { z } from 'zod';
import { ApprovalSpecSchema } from './approval.js';
import { DurationSchema, HeartbeatTimeoutSchema } from './duration.js';
import { TeamSpecError } from './errors.js';
import { NameSchema } from './names.js';
import { RetrySpecSchema } from './retry.js';
import { API_TOOL_NAME, RESOURCE_TOOL, mcpToolName } from './mcp-names.js';

export { API_TOOL_NAME, RESOURCE_TOOL, mcpToolName, mcpToolNames, mcpToolOf } from './mcp-names.js';

/**
 * An MCP server whose tools agents may call. The worker connects to it (a command over stdio, or a
 * Streamable HTTP URL), keeps the connection up (restarting a server that exits, re-opening an
 * expired session) and runs each call as its own activity. Only the tools on the allow-list are
 * offered to agents, under the server's `prefix` when it has one.
 */
export const McpServerSpecSchema = z
  .object({
    name: NameSchema,
    /** The server's tools agents may use, by their MCP names. */
    tools: z.array(z.string().min(1)).min(1, 'list the tools agents may use: tools is an allow-list'),
    /** Put before each tool's name as agents see it (`prefix: 'fs'` → `fs_read_text_file`): two servers with a tool of the same name can serve one agent. */
    prefix: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,40}$/, 'use letters, digits, "-" or "_" (at most 40 characters)')
      .optional(),
    /** Start-to-close timeout of one attempt of a call: the MCP request's timeout too. */
    timeout: DurationSchema.default(60_000),
    /** How soon a call whose worker died is retried (the worker heartbeats while it waits, and on each progress notification); as for tools, default 10 s, `false` for none. */
    heartbeatTimeout: HeartbeatTimeoutSchema.optional(),
    retry: RetrySpecSchema.default({
      maximumAttempts: 3,
      initialInterval: 1_000,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
    }),
    /**
     * A person approves calls of this server's tools before they run, through the gate `tool-<name>`
     * (the name agents see): every call (`when: 'always'`), or (`when: 'requested'`) those the worker
     * says need it: the definition's `needsApproval(tool, input)`, or a tool the server marks `destructiveHint`.
     */
    approval: ApprovalSpecSchema.optional(),
    /** When a person refuses a call: tell the model (it may take another way), or fail the run with ApprovalRejected. */
    onRefused: z.enum(['tell-model', 'fail']).default('tell-model'),
    /** Offer the agent a `read_resource` tool (under the prefix) that reads the server's resources by URI; its description lists them. */
    resources: z.literal(true).optional(),
    /** The server's prompts (by name, without arguments) whose text is added to the agent's system prompt. */
    prompts: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .superRefine((server, ctx) => {
    if (server.resources && server.tools.includes(RESOURCE_TOOL))
      ctx.addIssue({
        code: 'custom',
        path: ['resources'],
        message: `the server has a tool named "${RESOURCE_TOOL}" already: leave it out of tools, or resources off`,
      });
    server.tools.forEach((tool, i) => {
      const name = mcpToolName(server, tool);
      if (!API_TOOL_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tools', i],
          message: `the model's API accepts tool names of letters, digits, "_" and "-" only (at most 128): "${name}" is not one, so this server's tool cannot be offered`,
        });
      }
    });
  });

/** An MCP server's serialisable spec as parsed ({@link McpServerSpecSchema}): what the run spec carries. */
export type McpServerSpec = z.infer<typeof McpServerSpecSchema>;

/** Headers for an HTTP server, or a function the worker runs to get them (e.g. a bearer token from its environment) each time it connects. */
export type McpHeaders = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

/** How a worker reaches an MCP server: a command it starts (stdio), or a URL (Streamable HTTP). */
export type McpConnection =
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string }
  | { kind: 'http'; url: string; headers?: McpHeaders; authProvider?: object };

/**
 * What {@link defineMcpServer} takes: the server's name and allowed tools, either `command` (stdio) or `url`
 * (Streamable HTTP) with their settings, and its timeout, retry policy and approvals.
 */
export interface McpServerConfig extends Omit<z.input<typeof McpServerSpecSchema>, 'approval'> {
  /** A command the worker starts and talks to over stdio, e.g. 'npx' with args ['-y', 'some-mcp-server']. */
  command?: string;
  /** With `command`: its arguments. */
  args?: string[];
  /**
   * The server's environment: exactly these variables, plus the few a program needs to start
   * (HOME, LOGNAME, PATH, SHELL, TERM, USER). Nothing else of the worker's (its API keys) reaches it.
   */
  env?: Record<string, string>;
  /** With `command`: the folder it starts in. */
  cwd?: string;
  /** Or the URL of a Streamable HTTP MCP server. */
  url?: string;
  /** With `url`: headers sent with every request (static, or from a function run in the worker). */
  headers?: McpHeaders;
  /** With `url`: an `OAuthClientProvider` (from `@modelcontextprotocol/sdk/client/auth.js`) for servers that require OAuth. */
  authProvider?: object;
  /**
   * A person approves calls of this server's tools before they run: `true` for the defaults (anyone,
   * 24 h, reject on expiry) or an approval spec without its gate (each tool's gate is `tool-<name>`).
   * With `needsApproval` or `approveDestructive`, only the calls they pick need it.
   */
  approval?: true | Omit<z.input<typeof ApprovalSpecSchema>, 'gate' | 'when'>;
  /** With or without `approval`: ask only when this returns true for the tool (its MCP name) and input (runs in the worker). */
  needsApproval?: (tool: string, input: unknown) => boolean | Promise<boolean>;
  /** Ask for approval of every call of a tool the server marks `destructiveHint: true` (with the defaults unless `approval` says otherwise). */
  approveDestructive?: boolean;
}

/** An MCP server as {@link defineMcpServer} returns it: give it to agents in `defineAgent({ mcp })`. */
export interface McpServerDefinition {
  /** The server's validated spec: what the run spec carries. */
  readonly spec: McpServerSpec;
  /** How the worker reaches the server; not part of the run spec, so its secrets never enter history. */
  readonly connection: McpConnection;
  /** Which calls need a person's approval, when the spec's approval is `when: 'requested'` (runs in the worker). */
  readonly needsApproval: ((tool: string, input: unknown) => boolean | Promise<boolean>) | undefined;
  /** Whether calls of the tools the server marks destructive need a person's approval. */
  readonly approveDestructive: boolean;
}

/**
 * Defines an MCP server for agents: checks that it names one transport with the settings that fit it. Throws a
 * `TeamSpecError` naming the problem. The worker connects when it starts.
 */
export function defineMcpServer(config: McpServerConfig): McpServerDefinition {
  const subject = `MCP server "${String(config.name)}"`;
  const {
    command,
    args = [],
    env,
    cwd,
    url,
    headers,
    authProvider,
    approval,
    needsApproval,
    approveDestructive = false,
    ...rest
  } = config;
  if ((command === undefined) === (url === undefined))
    throw new TeamSpecError(subject, ['give either command (stdio) or url (Streamable HTTP), not both or neither']);
  if (url !== undefined && !URL.canParse(url)) throw new TeamSpecError(subject, [`url: "${url}" is not a URL`]);
  if (command !== undefined && (headers !== undefined || authProvider !== undefined))
    throw new TeamSpecError(subject, ['headers and authProvider are for a server at a url, not a command']);
  if (url !== undefined && (env !== undefined || cwd !== undefined))
    throw new TeamSpecError(subject, ['env and cwd are for a server the worker starts (command), not one at a url']);
  const asks = approval !== undefined || needsApproval !== undefined || approveDestructive;
  const when = needsApproval !== undefined || approveDestructive ? 'requested' : 'always';
  const approvalSpec = asks
    ? {
        approvers: ['*'],
        ...(approval === true || approval === undefined ? {} : approval),
        gate: `mcp-${String(config.name)}`,
        when,
      }
    : undefined;
  const parsed = McpServerSpecSchema.safeParse({ ...rest, ...(approvalSpec ? { approval: approvalSpec } : {}) });
  if (!parsed.success) throw new TeamSpecError(subject, parsed.error.issues);
  const connection: McpConnection =
    command !== undefined
      ? { kind: 'stdio', command, args, ...(env ? { env } : {}), ...(cwd ? { cwd } : {}) }
      : { kind: 'http', url: url ?? '', ...(headers ? { headers } : {}), ...(authProvider ? { authProvider } : {}) };
  return { spec: parsed.data, connection, needsApproval, approveDestructive };
}

/** How a connection is named in messages: the command line, or the URL. */
export function describeConnection(connection: McpConnection): string {
  return connection.kind === 'stdio' ? [connection.command, ...connection.args].join(' ') : connection.url;
}

import type { MCPToolLike } from '@anthropic-ai/sdk/helpers/beta/mcp';
import type * as ClientModule from '@modelcontextprotocol/sdk/client/index.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type * as StdioModule from '@modelcontextprotocol/sdk/client/stdio.js';
import type * as HttpModule from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describeCauses, type McpOpenConnection, type McpServerLink, type McpServers } from '../activities/index.js';
import { describeConnection, teamTree, type McpServerDefinition, type TeamRegistry } from '../team/index.js';
import { WorkerError } from './errors.js';

/** The worker's links to its MCP servers, by server name; closed when the worker stops. */
export interface McpConnections extends McpServers {
  /** One line per server: connected (with its tools), or down and why. */
  health(): string[];
  close(): Promise<void>;
}

/** Where a worker reports its MCP servers' health: connected, lost, restarted. */
export type McpReport = (line: string, level: 'info' | 'warn') => void;

const CONNECT_TIMEOUT_MS = 20_000;
/** After a failed (re)connect, the next try waits this long, doubling up to the most below. */
const FIRST_BACKOFF_MS = 500;
const MOST_BACKOFF_MS = 30_000;
/** Lines of a stdio server's stderr kept, to say why it failed. */
const STDERR_LINES = 20;

/**
 * Links to every MCP server the teams' agents use. Each is connected at start, but a server that is
 * down does not stop the worker: only the calls that need it fail (retryably, naming it) until it
 * answers. A tool missing from a server that answers is a mistake in the team, refused at start.
 */
export async function connectMcpServers(
  teams: TeamRegistry,
  report: McpReport = () => undefined,
): Promise<McpConnections> {
  const links = new Map(
    [...mcpServersOf(teams).values()].map((server) => [server.spec.name, new ServerLink(server, report)]),
  );
  const close = async () => {
    await Promise.all([...links.values()].map((link) => link.close()));
  };
  for (const link of links.values()) {
    try {
      await link.open();
    } catch (error) {
      if (WorkerError.isInstance(error) && error.code === 'MCP_TOOL_MISSING') {
        await close();
        throw error;
      }
      // Down: reported by the link; its calls fail retryably until it answers.
    }
  }
  return { link: (name) => links.get(name), health: () => [...links.values()].map((link) => link.health()), close };
}

/** Every MCP server the teams' agents use, by name; one name must mean one server. */
function mcpServersOf(teams: TeamRegistry): Map<string, McpServerDefinition> {
  const servers = new Map<string, McpServerDefinition>();
  for (const team of teams.names.flatMap((name) => teamTree(teams.get(name)))) {
    for (const agent of team.spec.agents) {
      for (const server of team.agent(agent.name)?.mcpServers ?? []) {
        const known = servers.get(server.spec.name);
        if (known && describeConnection(known.connection) !== describeConnection(server.connection)) {
          throw new WorkerError(
            'MCP_SERVER_CONFLICT',
            `Two MCP servers are named "${server.spec.name}" (${describeConnection(known.connection)}; ${describeConnection(server.connection)}): give each its own name.`,
          );
        }
        servers.set(server.spec.name, {
          ...server,
          spec: { ...server.spec, tools: [...new Set([...(known?.spec.tools ?? []), ...server.spec.tools])] },
        });
      }
    }
  }
  return servers;
}

/**
 * One MCP server's connection, kept open: opened on first need, dropped when it fails (a stdio
 * server that exits, an HTTP session the server no longer knows, a broken stream) and opened again
 * on the next call, with back-off between failed tries. Every change is reported.
 */
class ServerLink implements McpServerLink {
  private opening: Promise<McpOpenConnection> | undefined;
  private current: (McpOpenConnection & { client: Client }) | undefined;
  /** The last connection that was open: its tools are still offered while the server is down. */
  private last: McpOpenConnection | undefined;
  private failures = 0;
  private nextTryAt = 0;
  private down: string | undefined;
  private closed = false;
  private readonly stderr: string[] = [];
  readonly where: string;

  constructor(
    private readonly server: McpServerDefinition,
    private readonly report: McpReport,
  ) {
    this.where = `MCP server "${server.spec.name}" (${describeConnection(server.connection)})`;
  }

  health(): string {
    if (this.current) return `${this.where}: connected, tools ${[...this.current.tools.keys()].join(', ')}`;
    return `${this.where}: DOWN (${this.down ?? 'not connected yet'}); its calls fail and are retried until it answers`;
  }

  open(): Promise<McpOpenConnection> {
    if (this.current) return Promise.resolve(this.current);
    if (this.opening) return this.opening;
    const wait = this.nextTryAt - Date.now();
    if (wait > 0)
      return Promise.reject(this.unavailable(`${this.down ?? 'it failed'}; next try in ${Math.ceil(wait / 1000)} s`));
    const opening = this.connect().then(
      (connection) => {
        if (this.failures > 0 || this.down) this.report(`${this.where} is back: connected again`, 'info');
        else this.report(`${this.where}: connected, tools ${[...connection.tools.keys()].join(', ')}`, 'info');
        [this.current, this.last, this.failures, this.down] = [connection, connection, 0, undefined];
        return connection;
      },
      (error: unknown) => {
        if (WorkerError.isInstance(error)) throw error;
        this.failures += 1;
        this.nextTryAt = Date.now() + Math.min(MOST_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (this.failures - 1));
        this.down = `${describeCauses(error)}${this.stderrTail()}`;
        this.report(`${this.where} could not be reached: ${this.down}`, 'warn');
        throw this.unavailable(this.down);
      },
    );
    this.opening = opening.finally(() => (this.opening = undefined));
    return this.opening;
  }

  offered(): Promise<McpOpenConnection> {
    const last = this.last;
    return last ? this.open().catch(() => last) : this.open();
  }

  /**
   * The definition's `needsApproval`, or (with `approveDestructive`) whether the server marks the tool
   * destructive: by the MCP spec's defaults, any tool not marked read-only or `destructiveHint: false`.
   */
  async needsApproval(tool: string, input: unknown): Promise<boolean> {
    if (this.server.needsApproval && (await this.server.needsApproval(tool, input))) return true;
    if (!this.server.approveDestructive) return false;
    const listed = (await this.open()).tools.get(tool) as
      { annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean } } | undefined;
    const annotations = listed?.annotations;
    return annotations?.readOnlyHint !== true && annotations?.destructiveHint !== false;
  }

  lost(connection: McpOpenConnection, error: unknown): void {
    if (this.current !== connection) return;
    this.current = undefined;
    this.down = `${describeCauses(error)}${this.stderrTail()}`;
    this.report(`${this.where} was lost (${this.down}): it is opened again on the next call`, 'warn');
    void connection.client.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.current ?? (await this.opening?.catch(() => undefined));
    this.current = undefined;
    await connection?.client.close().catch(() => undefined);
  }

  /** A retryable failure that names the server, so the call is tried again once it may answer. */
  private unavailable(why: string): WorkerError {
    return new WorkerError('MCP_SERVER_UNAVAILABLE', `${this.where} is unavailable: ${why}`);
  }

  private stderrTail(): string {
    return this.stderr.length ? `; its stderr ends: ${this.stderr.slice(-5).join(' | ')}` : '';
  }

  private async connect(): Promise<McpOpenConnection & { client: Client }> {
    const sdk = await loadSdk(this.where);
    // Declares no capability: Troupe answers no sampling, roots or elicitation requests.
    const client = new sdk.Client({ name: 'troupe-worker', version: '1' }, { capabilities: {} });
    const transport = await this.transport(sdk);
    let listed: MCPToolLike[];
    try {
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
      listed = await listAllTools(client);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    const offered = new Map(listed.map((tool) => [tool.name, tool]));
    const missing = this.server.spec.tools.filter((name) => !offered.has(name));
    const needTasks = this.server.spec.tools.filter(
      (name) =>
        (offered.get(name) as { execution?: { taskSupport?: string } } | undefined)?.execution?.taskSupport ===
        'required',
    );
    if (missing.length || needTasks.length) {
      await client.close().catch(() => undefined);
      const problems = [
        ...(missing.length
          ? [
              `has no tool ${missing.map((m) => `"${m}"`).join(', ')}: it lists ${[...offered.keys()].join(', ') || 'none'}`,
            ]
          : []),
        ...(needTasks.length
          ? [
              `requires task-based execution for ${needTasks.map((m) => `"${m}"`).join(', ')}, which Troupe does not offer`,
            ]
          : []),
      ];
      throw new WorkerError('MCP_TOOL_MISSING', `${this.where} ${problems.join('; it ')}. Fix the allow-list (tools).`);
    }
    const extras = await this.resourcesAndPrompts(client).catch(async (error: unknown) => {
      await client.close().catch(() => undefined);
      throw error;
    });
    let lostWith: (error: Error) => void = () => undefined;
    const connectionLost = new Promise<Error>((resolve) => (lostWith = resolve));
    const connection = {
      client,
      tools: new Map([...offered].filter(([name]) => this.server.spec.tools.includes(name))),
      ...extras,
      connectionLost,
    };
    client.onclose = () => {
      const error = new Error(`${this.where} closed the connection${this.stderrTail()}`);
      lostWith(error);
      if (!this.closed) this.lost(connection, error);
    };
    // A broken HTTP stream (the server died mid-call) ends the calls waiting on it, instead of their timeout.
    client.onerror = (error) => {
      if (this.server.connection.kind === 'http' && isConnectionError(error)) lostWith(error);
    };
    return connection;
  }

  /** The resources the agent may read and the prompts' text, when the definition asks for them. */
  private async resourcesAndPrompts(client: Client): Promise<Pick<McpOpenConnection, 'resources' | 'promptText'>> {
    const { resources, prompts } = this.server.spec;
    const capabilities = client.getServerCapabilities() ?? {};
    const lacking = [
      ...(resources && !capabilities.resources ? ['resources'] : []),
      ...(prompts && !capabilities.prompts ? ['prompts'] : []),
    ];
    if (lacking.length)
      throw new WorkerError(
        'MCP_TOOL_MISSING',
        `${this.where} offers no ${lacking.join(' and ')}: leave ${lacking.join(' and ')} out of its definition.`,
      );
    const extras: Pick<McpOpenConnection, 'resources' | 'promptText'> = {};
    if (resources) {
      extras.resources = [];
      let cursor: string | undefined;
      do {
        const page = await client.listResources(cursor === undefined ? undefined : { cursor }, {
          timeout: CONNECT_TIMEOUT_MS,
        });
        extras.resources.push(...page.resources.map((r) => ({ uri: r.uri, name: r.name, mimeType: r.mimeType })));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    }
    if (prompts) {
      const texts = await Promise.all(
        prompts.map(async (name) => {
          const prompt = await client.getPrompt({ name }, { timeout: CONNECT_TIMEOUT_MS });
          return prompt.messages
            .map((m) => (m.content.type === 'text' ? m.content.text : `[${m.content.type}]`))
            .join('\n');
        }),
      );
      extras.promptText = texts.join('\n\n');
    }
    return extras;
  }

  private async transport(sdk: McpSdk) {
    const connection = this.server.connection;
    if (connection.kind === 'stdio') {
      // Exactly what the team gives, plus the minimal set a program needs to start: never the worker's secrets.
      const transport = new sdk.StdioClientTransport({
        command: connection.command,
        args: connection.args,
        env: { ...sdk.getDefaultEnvironment(), ...connection.env },
        ...(connection.cwd ? { cwd: connection.cwd } : {}),
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => {
        const lines = chunk
          .toString()
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean);
        this.stderr.push(...lines);
        this.stderr.splice(0, Math.max(0, this.stderr.length - STDERR_LINES));
      });
      return transport;
    }
    const headers = typeof connection.headers === 'function' ? await connection.headers() : connection.headers;
    return new sdk.StreamableHTTPClientTransport(new URL(connection.url), {
      ...(headers ? { requestInit: { headers } } : {}),
      ...(connection.authProvider ? { authProvider: connection.authProvider as never } : {}),
    });
  }
}

type McpSdk = typeof ClientModule & typeof StdioModule & typeof HttpModule;

/** The MCP SDK is an optional peer dependency: loaded only by a worker whose teams use MCP. */
async function loadSdk(where: string): Promise<McpSdk> {
  try {
    const [client, stdio, http] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/stdio.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    ]);
    return { ...client, ...stdio, ...http };
  } catch {
    throw new WorkerError('MCP_SDK_MISSING', `${where} needs the MCP SDK: npm install @modelcontextprotocol/sdk`);
  }
}

async function listAllTools(client: Client): Promise<MCPToolLike[]> {
  const tools: MCPToolLike[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? undefined : { cursor }, { timeout: CONNECT_TIMEOUT_MS });
    tools.push(...(page.tools as MCPToolLike[]));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

/** An error that means the connection itself is gone (refused, reset, a broken stream), not one call's failure. */
export function isConnectionError(error: unknown): boolean {
  const text = describeCauses(error);
  return /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|fetch failed|terminated|other side closed|Connection closed|Not connected/i.test(
    text,
  );
}

import type { ContentBlockParam, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/client/failure.js';
import { defineAgent, defineMcpServer, defineTeam, type McpServerDefinition } from '../../src/team/index.js';
import { startTestEnvironment, type TroupeTestEnvironment } from '../../src/testing/index.js';
import { payloadTexts } from '../support/payload-texts.js';
import { until } from '../support/until.js';

// Agents against the official MCP reference server (server-everything, over stdio and Streamable
// HTTP) and the MCP SDK's own server, through a worker on the dev server: what a user meets.
const EVERYTHING = fileURLToPath(
  new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);
const FILESYSTEM = fileURLToPath(
  new URL('../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url),
);
const FIXTURE = fileURLToPath(new URL('../fixtures/mcp-server.ts', import.meta.url));
const CANARY = 'sk-ant-canary-never-for-mcp';
const MCP_TOKEN = 'mcp-token-canary-5b1e9d73a2c4';
const OAUTH_TOKEN = 'oauth-access-token-for-the-test';
/** An OAuth client provider (the MCP SDK's interface) that already holds an access token. */
const tokenHolder = {
  redirectUrl: 'http://127.0.0.1/callback',
  clientMetadata: { redirect_uris: ['http://127.0.0.1/callback'], client_name: 'troupe-test' },
  clientInformation: () => ({ client_id: 'troupe-test' }),
  tokens: () => ({ access_token: OAUTH_TOKEN, token_type: 'bearer' }),
  saveTokens: () => undefined,
  redirectToAuthorization: () => undefined,
  saveCodeVerifier: () => undefined,
  codeVerifier: () => 'verifier',
};

const soloTeam = (
  name: string,
  servers: McpServerDefinition[],
  agent: Partial<Parameters<typeof defineAgent>[0]> = {},
) =>
  defineTeam({
    name,
    agents: [
      defineAgent({
        name: `${name}-agent`,
        role: 'clerk',
        system: 'Use the tools.',
        output: 'text',
        mcp: servers,
        timeout: '10s',
        ...agent,
      }),
    ],
    topology: { kind: 'pipeline', steps: [{ agent: `${name}-agent` }] },
  });
const calc = (name: string, extra: Partial<Parameters<typeof defineMcpServer>[0]> = {}) =>
  defineMcpServer({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', FIXTURE],
    tools: ['add', 'pid', 'slow'],
    timeout: '10s',
    ...extra,
  });

let httpPort = 0;
let http: ChildProcess | undefined;
let guarded: ChildProcess | undefined;
let guardedPort = 0;
let t: TroupeTestEnvironment;
const script: Record<string, unknown[]> = {};
const scripted = (agent: string, ...replies: unknown[]) => (script[`${agent}`] = replies);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startHttpEverything(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { ...process.env, PORT: String(httpPort) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
  await until(() => said.includes('listening on port'), 20_000);
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** A tool result's text (results made of text only travel as one string). */
function textOf(result: ToolResultBlockParam | undefined): string {
  return typeof result?.content === 'string' ? result.content : JSON.stringify(result?.content);
}

/** The tool results the agent's second model turn was sent (what the model saw of its first turn's calls). */
function resultsSeenBy(agent: string): ToolResultBlockParam[] {
  const second = t.double.scripted.requests.filter((r) => r.agent === agent)[1];
  return (second?.body.messages.at(-1)?.content ?? []) as ToolResultBlockParam[];
}

beforeAll(async () => {
  httpPort = await freePort();
  http = await startHttpEverything();
  guardedPort = await freePort();
  guarded = spawn(process.execPath, ['--import', 'tsx', FIXTURE, '--http'], {
    env: { ...process.env, MCP_PORT: String(guardedPort), MCP_BEARER: OAUTH_TOKEN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let guardedSaid = '';
  guarded.stderr?.on('data', (chunk: Buffer) => (guardedSaid += chunk.toString()));
  await until(() => guardedSaid.includes('listening on'), 20_000);
  process.env['ANTHROPIC_API_KEY'] = CANARY; // the worker's own secret: no stdio server may see it
  process.env['TROUPE_TEST_MCP_TOKEN'] = MCP_TOKEN; // an HTTP server's bearer token, read by its headers function in the worker
  scripted('env-agent', { toolUse: [{ name: 'get-env', input: {} }] }, { text: 'seen' });
  scripted(
    'media-agent',
    {
      toolUse: [
        { name: 'get-tiny-image', input: {} },
        { name: 'get-resource-links', input: { count: 2 } },
        { name: 'get-resource-reference', input: { resourceType: 'Text', resourceId: 1 } },
      ],
    },
    { text: 'seen' },
  );
  scripted(
    'twins-agent',
    {
      toolUse: [
        { name: 'a_add', input: { a: 1, b: 2 } },
        { name: 'b_add', input: { a: 10, b: 20 } },
      ],
    },
    { text: '3 and 30' },
  );
  scripted('restart-agent', { toolUse: [{ name: 'pid', input: {} }] }, { text: 'pid seen' });
  scripted('slow-agent', { toolUse: [{ name: 'slow', input: { ms: 8_000, log: '' } }] }, { text: 'gave up' });
  scripted('web-agent', { toolUse: [{ name: 'echo', input: { message: 'over http' } }] }, { text: 'echoed' });
  scripted('plain-agent', { text: 'no MCP needed' });
  scripted('oauth-agent', { toolUse: [{ name: 'add', input: { a: 20, b: 22 } }] }, { text: 'added behind OAuth' });
  scripted(
    'library-agent',
    {
      toolUse: [
        { name: 'read_resource', input: { uri: 'demo://resource/static/document/architecture.md' } },
        { name: 'read_resource', input: { uri: 'demo://no/such' } },
      ],
    },
    { text: 'read it' },
  );
  scripted(
    'cut-agent',
    { toolUse: [{ name: 'trigger-long-running-operation', input: { duration: 20, steps: 20 } }] },
    { text: 'the server went away' },
  );
  scripted('lost-root-agent', { text: 'never' });
  scripted('guarded-agent', { toolUse: [{ name: 'add', input: { a: 2, b: 2 } }] }, { text: 'added after approval' });
  scripted(
    'hinted-agent',
    {
      toolUse: [
        { name: 'get-env', input: {} },
        { name: 'add', input: { a: 1, b: 1 } },
      ],
    },
    { text: 'read freely, added after approval' },
  );
  scripted('down-agent', { toolUse: [{ name: 'add', input: { a: 1, b: 1 } }] }, { text: 'never' });
  const plain = defineTeam({
    name: 'plain',
    agents: [defineAgent({ name: 'plain-agent', role: 'clerk', system: 's', output: 'text' })],
    topology: { kind: 'pipeline', steps: [{ agent: 'plain-agent' }] },
  });
  t = await startTestEnvironment({
    server: 'dev-server',
    script: script as never,
    teams: [
      soloTeam('env', [
        defineMcpServer({
          name: 'everything',
          command: process.execPath,
          args: [EVERYTHING, 'stdio'],
          env: { GREETING: 'hello from the team' },
          tools: ['get-env'],
        }),
      ]),
      soloTeam('media', [
        defineMcpServer({
          name: 'everything-media',
          command: process.execPath,
          args: [EVERYTHING, 'stdio'],
          tools: ['get-tiny-image', 'get-resource-links', 'get-resource-reference'],
        }),
      ]),
      soloTeam('twins', [calc('calc-a', { prefix: 'a' }), calc('calc-b', { prefix: 'b' })]),
      soloTeam('restart', [calc('calc-restart')]),
      soloTeam('slow', [calc('calc-slow', { timeout: '2s', retry: { maximumAttempts: 1 } })]),
      soloTeam('web', [
        defineMcpServer({
          name: 'everything-http',
          url: `http://127.0.0.1:${httpPort}/mcp`,
          headers: () => ({ Authorization: `Bearer ${process.env['TROUPE_TEST_MCP_TOKEN']}` }),
          tools: ['echo'],
          retry: { maximumAttempts: 5, initialInterval: 200 },
        }),
      ]),
      soloTeam('down', [defineMcpServer({ name: 'nowhere', command: '/no/such/mcp-server', tools: ['add'] })], {
        retry: { maximumAttempts: 2, initialInterval: 100 },
      }),
      soloTeam(
        'lost-root',
        [
          defineMcpServer({
            name: 'files',
            command: process.execPath,
            args: [FILESYSTEM, '/no/such/root'],
            tools: ['read_text_file'],
          }),
        ],
        { retry: { maximumAttempts: 2, initialInterval: 100 } },
      ),
      soloTeam('guarded', [calc('calc-guarded', { approval: { approvers: ['ana'] } })]),
      soloTeam('hinted', [
        defineMcpServer({
          name: 'everything-hinted',
          command: process.execPath,
          args: [EVERYTHING, 'stdio'],
          tools: ['get-env'],
          approveDestructive: true,
        }),
        calc('calc-hinted', { approveDestructive: true }),
      ]),
      soloTeam('cut', [
        defineMcpServer({
          name: 'everything-cut',
          url: `http://127.0.0.1:${httpPort}/mcp`,
          tools: ['trigger-long-running-operation'],
          timeout: '60s',
          retry: { maximumAttempts: 2, initialInterval: 200 },
        }),
      ]),
      soloTeam('library', [
        defineMcpServer({
          name: 'everything-library',
          command: process.execPath,
          args: [EVERYTHING, 'stdio'],
          tools: ['echo'],
          resources: true,
          prompts: ['simple-prompt'],
        }),
      ]),
      soloTeam('oauth', [
        defineMcpServer({
          name: 'calc-oauth',
          url: `http://127.0.0.1:${guardedPort}/mcp`,
          authProvider: tokenHolder,
          tools: ['add'],
        }),
      ]),
      plain,
    ],
  });
}, 180_000);

afterAll(async () => {
  await t?.close();
  await stop(http);
  await stop(guarded);
  delete process.env['ANTHROPIC_API_KEY'];
});

describe('MCP against the reference servers', () => {
  it("gives a stdio server exactly the environment its definition names, never the worker's secrets", async () => {
    const run = await t.start('env', 'Show the environment.');
    expect((await run.result()).output).toBe('seen');
    const [result] = resultsSeenBy('env-agent');
    const env = JSON.parse(textOf(result)) as Record<string, string>;
    expect(env['GREETING']).toBe('hello from the team');
    expect(JSON.stringify(env)).not.toContain(CANARY);
    expect(env['PATH']).toBeTruthy();
  });

  it('hands the model images, resource links and embedded resources in the blocks that carry them, running each tool once', async () => {
    const run = await t.start('media', 'Fetch media.');
    expect((await run.result()).output).toBe('seen');
    const [image, links, reference] = resultsSeenBy('media-agent');
    expect(image?.is_error).toBeUndefined();
    expect((image?.content as ContentBlockParam[]).map((b) => b.type)).toContain('image');
    expect(links?.is_error).toBeUndefined();
    expect(JSON.stringify(links?.content)).toMatch(/resource .* at demo:\/\/resource/);
    expect(reference?.is_error).toBeUndefined();
    const document = (reference?.content as ContentBlockParam[]).find((b) => b.type === 'document');
    expect(JSON.stringify(document)).toContain('Resource 1');
    // Each tool ran once: three activities completed, none retried.
    const history = await run.handle.fetchHistory();
    const mcpCalls =
      history.events?.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runMcpTool') ?? [];
    const attempts =
      history.events?.flatMap((e) =>
        e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : [],
      ) ?? [];
    expect(mcpCalls).toHaveLength(3);
    expect(Math.max(...attempts)).toBe(1);
  });

  it('serves one agent two servers with a tool of the same name, under their prefixes', async () => {
    const run = await t.start('twins', 'Add twice.');
    expect((await run.result()).output).toBe('3 and 30');
    const offered = (t.double.scripted.requests.find((r) => r.agent === 'twins-agent')?.body.tools ?? []).map(
      (tool) => (tool as { name: string }).name,
    );
    expect(offered.sort()).toEqual(['a_add', 'a_pid', 'a_slow', 'b_add', 'b_pid', 'b_slow']);
    expect(resultsSeenBy('twins-agent').map((r) => r.content)).toEqual(['3', '30']);
  });

  it('restarts a stdio server that died: the next run is served by a new process', async () => {
    const first = await t.start('restart', 'Which process?');
    await first.result();
    const pid = Number(resultsSeenBy('restart-agent')[0]?.content);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await until(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    const before = t.double.scripted.requests.length;
    const second = await t.start('restart', 'Which process now?');
    expect((await second.result()).output).toBe('pid seen');
    const again = t.double.scripted.requests.slice(before).filter((r) => r.agent === 'restart-agent')[1];
    const newPid = Number(((again?.body.messages.at(-1)?.content ?? []) as ToolResultBlockParam[])[0]?.content);
    expect(newPid).toBeGreaterThan(0);
    expect(newPid).not.toBe(pid);
  });

  it('bounds a call by its own timeout and tells the server to stop (notifications/cancelled)', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'troupe-mcp-')), 'slow.log');
    writeFileSync(log, '');
    script['slow-agent'] = [{ toolUse: [{ name: 'slow', input: { ms: 8_000, log } }] }, { text: 'gave up' }];
    const run = await t.start('slow', 'Work slowly.');
    expect((await run.result()).output).toBe('gave up');
    const [result] = resultsSeenBy('slow-agent');
    expect(result?.is_error).toBe(true);
    expect(textOf(result)).toMatch(/did not answer within \d+ ms|timed out/);
    await until(() => readFileSync(log, 'utf8').includes('cancelled'), 10_000);
    expect(readFileSync(log, 'utf8')).toBe('started\ncancelled\n');
  });

  it('re-opens the session of a Streamable HTTP server that restarted', async () => {
    const first = await t.start('web', 'Echo.');
    expect((await first.result()).output).toBe('echoed');
    await stop(http);
    http = await startHttpEverything();
    const second = await t.start('web', 'Echo again.');
    expect((await second.result()).output).toBe('echoed');
    const results = t.double.scripted.requests
      .filter((r) => r.agent === 'web-agent')
      .map((r) => r.body.messages.at(-1)?.content)
      .filter(Array.isArray) as ToolResultBlockParam[][];
    expect(results.map((r) => r[0]?.is_error)).toEqual([undefined, undefined]);
    expect(results.map((r) => textOf(r[0]))).toEqual([
      expect.stringContaining('over http'),
      expect.stringContaining('over http'),
    ]);
    // The server's bearer token, sent with every request, is in no payload of either run's history.
    for (const run of [first, second]) {
      const texts = payloadTexts(await run.handle.fetchHistory());
      expect(texts.length).toBeGreaterThan(3);
      expect(texts.filter((text) => text.includes(MCP_TOKEN) || /authorization|bearer/i.test(text))).toEqual([]);
    }
  });

  it('a server that is down fails only the runs that need it, naming it; other teams on the worker run', async () => {
    const plain = await t.start('plain', 'Nothing to call.');
    expect((await plain.result()).output).toBe('no MCP needed');
    const down = await t.start('down', 'Add.');
    const failure = await down.result().then(
      () => undefined,
      (error: unknown) => describeFailure(error),
    );
    expect(failure?.message).toContain('MCP server "nowhere" (/no/such/mcp-server) is unavailable');
    expect(failure?.message).toMatch(/ENOENT|spawn/);
  }, 120_000);

  it('says why a server failed to start, from its own stderr', async () => {
    const run = await t.start('lost-root', 'Read.');
    const failure = await run.result().then(
      () => undefined,
      (error: unknown) => describeFailure(error),
    );
    expect(failure?.message).toContain('MCP server "files"');
    expect(failure?.message).toContain('None of the specified directories are accessible');
  }, 120_000);

  it('asks a person before an MCP tool runs, like a defineTool tool, at the gate tool-<name>', async () => {
    const run = await t.start('guarded', 'Add with approval.');
    const awaiting = await t.waitForApproval(run, 'tool-add');
    expect(awaiting.approvers).toEqual(['ana']);
    expect(t.double.scripted.requests.filter((r) => r.agent === 'guarded-agent')).toHaveLength(1); // waiting: the tool has not run
    await run.decide({ gate: 'tool-add', by: 'ana', decision: 'approve' });
    expect((await run.result()).output).toBe('added after approval');
    expect(resultsSeenBy('guarded-agent').map((r) => r.content)).toEqual(['4']);
  });

  it('with approveDestructive, asks only for the tools the server does not mark read-only', async () => {
    const run = await t.start('hinted', 'Read, then add.');
    // get-env is marked readOnlyHint by server-everything: it runs at once; add has no hints, so by the MCP spec it may destroy.
    await t.waitForApproval(run, 'tool-add');
    await run.decide({ gate: 'tool-add', by: 'ana', decision: 'approve' });
    expect((await run.result()).output).toBe('read freely, added after approval');
    const history = await run.handle.fetchHistory();
    const gates = JSON.stringify(
      history.events?.filter(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionSignaledEventAttributes,
      ),
    );
    expect(gates).not.toContain('tool-get-env');
  });

  it('ends a call at once when its HTTP server dies mid-call, and tells the model why', async () => {
    const run = await t.start('cut', 'Run long.');
    await until(() => t.double.scripted.requests.some((r) => r.agent === 'cut-agent'));
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the operation is under way (20 s long)
    const killedAt = Date.now();
    await stop(http);
    try {
      expect((await run.result()).output).toBe('the server went away');
      expect(Date.now() - killedAt).toBeLessThan(20_000); // not the call's 60 s timeout
      const [result] = resultsSeenBy('cut-agent');
      expect(result?.is_error).toBe(true);
      expect(textOf(result)).toMatch(/MCP server "everything-cut" .*(ECONNREFUSED|lost|closed|terminated)/);
    } finally {
      http = await startHttpEverything();
    }
  });

  it("offers a server's resources through a read tool, and its prompts as system-prompt material, when the team asks", async () => {
    const run = await t.start('library', 'Read the architecture.');
    expect((await run.result()).output).toBe('read it');
    const first = t.double.scripted.requests.find((r) => r.agent === 'library-agent');
    expect(JSON.stringify(first?.body.system)).toContain('This is a simple prompt without arguments.');
    const reader = (first?.body.tools ?? []).find((tool) => (tool as { name: string }).name === 'read_resource') as
      { description: string } | undefined;
    expect(reader?.description).toContain('demo://resource/static/document/architecture.md');
    const [found, missing] = resultsSeenBy('library-agent');
    const document = (found?.content as ContentBlockParam[]).find((b) => b.type === 'document');
    expect(JSON.stringify(document)).toMatch(/[Aa]rchitecture/);
    expect(missing?.is_error).toBe(true);
  });

  it("reaches a server that requires a token through the MCP SDK's OAuth client provider", async () => {
    const run = await t.start('oauth', 'Add behind OAuth.');
    expect((await run.result()).output).toBe('added behind OAuth');
    expect(resultsSeenBy('oauth-agent').map((r) => r.content)).toEqual(['42']);
    expect(payloadTexts(await run.handle.fetchHistory()).filter((text) => text.includes(OAUTH_TOKEN))).toEqual([]);
  });
});

import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRunHistory } from '../../src/client/index.js';
import { defineAgent, defineMcpServer, defineTeam } from '../../src/team/index.js';
import { startTestEnvironment } from '../../src/testing/index.js';

// Agents calling a real MCP server (the MCP SDK's own, over stdio) that the worker starts.
const SERVER = fileURLToPath(new URL('../fixtures/mcp-server.ts', import.meta.url));
const calc = (tools: string[], command = process.execPath) =>
  defineMcpServer({ name: 'calc', command, args: ['--import', 'tsx', SERVER], tools, timeout: '10s' });
const teamWith = (server: ReturnType<typeof calc>) =>
  defineTeam({
    name: 'mcp-team',
    agents: [
      defineAgent({
        name: 'counter',
        role: 'clerk',
        system: 'Use the calculator.',
        output: 'text',
        mcp: [server],
        timeout: '5s',
      }),
    ],
    topology: { kind: 'pipeline', steps: [{ agent: 'counter' }] },
  });

describe('MCP servers', () => {
  it('offers the allowed tools of a stdio MCP server to the agent and runs each call as an activity', async () => {
    const t = await startTestEnvironment({
      teams: [teamWith(calc(['add']))],
      server: 'dev-server',
      script: {
        counter: [
          {
            toolUse: [
              { name: 'add', input: { a: 2, b: 3 } },
              { name: 'shout', input: { text: 'hi' } },
            ],
          },
          { text: '2 + 3 = 5' },
        ],
      },
    });
    try {
      const run = await t.start('mcp-team', 'Add 2 and 3.');
      expect((await run.result()).output).toBe('2 + 3 = 5');
      const [first, second] = t.double.scripted.requests;
      // Only the allow-listed tool was offered, with the schema the server listed.
      expect((first?.body.tools as Tool[]).map((tool) => tool.name)).toEqual(['add']);
      expect(JSON.stringify((first?.body.tools as Tool[])[0]?.input_schema)).toContain('"a"');
      const results = (second?.body.messages.at(-1)?.content ?? []) as { content: string; is_error?: boolean }[];
      expect(results.map((r) => r.content)).toEqual([
        '5',
        expect.stringContaining('there is no tool "shout": use one of add') as string,
      ]);
      const history = await readRunHistory(run.workflowId, await run.handle.fetchHistory());
      expect(history.steps.filter((s) => s.kind === 'tool')).toMatchObject([
        { agent: 'counter', tool: 'calc:add', input: { a: 2, b: 3 }, result: '5', isError: false },
      ]);
    } finally {
      await t.close();
    }
  });

  it('starts a worker whose MCP server is down, but refuses one whose server lacks an allowed tool, naming the server and the command', async () => {
    const failure = (teams: ReturnType<typeof teamWith>) =>
      startTestEnvironment({ teams: [teams], server: 'dev-server' }).then(
        async (t) => {
          await t.close();
          return undefined;
        },
        (e: unknown) => e as Error & { code?: string },
      );
    // A server that is down does not stop the worker (only the calls that need it fail: see mcp-reference.test.ts).
    expect(await failure(teamWith(calc(['add'], '/no/such/mcp-server')))).toBeUndefined();
    const missing = await failure(teamWith(calc(['add', 'multiply'])));
    expect(missing).toMatchObject({ code: 'MCP_TOOL_MISSING' });
    expect(missing?.message).toContain('has no tool "multiply": it lists add, shout, pid, slow, tally');
    // A tool that requires task-based execution is never offered to a model only to fail three times.
    const everything = fileURLToPath(
      new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
    );
    const tasks = await failure(
      teamWith(
        defineMcpServer({
          name: 'calc',
          command: process.execPath,
          args: [everything, 'stdio'],
          tools: ['echo', 'simulate-research-query'],
        }),
      ),
    );
    expect(tasks).toMatchObject({ code: 'MCP_TOOL_MISSING' });
    expect(tasks?.message).toContain(
      'requires task-based execution for "simulate-research-query", which Troupe does not offer',
    );
  });
});

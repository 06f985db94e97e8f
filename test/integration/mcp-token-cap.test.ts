import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineAgent, defineMcpServer, defineTeam } from '../../src/team/index.js';
import { startTestEnvironment } from '../../src/testing/index.js';

// An MCP server's tool definitions go into every request of the agent, so the worst case a turn
// holds under a token cap must count them: the worker, which alone sees the servers' listings,
// measures them (a local activity) before the first turn starts.
const EVERYTHING = fileURLToPath(
  new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);
const OUTPUT_TOKENS = 100;
/** Room for the request overhead (500), the agent's spec, the task and its output: not for the MCP tools' definitions. */
const CAP = 500 + OUTPUT_TOKENS + 1_500;

const team = (cap: number) =>
  defineTeam({
    name: `mcp-capped-${cap}`,
    agents: [
      defineAgent({
        name: 'librarian',
        role: 'librarian',
        system: 'Answer from the library.',
        output: 'text',
        maxTokens: OUTPUT_TOKENS,
        mcp: [
          defineMcpServer({
            name: 'everything',
            command: process.execPath,
            args: [EVERYTHING, 'stdio'],
            tools: ['echo', 'get-env', 'get-tiny-image', 'get-resource-links', 'get-resource-reference'],
            resources: true,
          }),
        ],
      }),
    ],
    topology: { kind: 'pipeline', steps: [{ agent: 'librarian' }] },
    limits: { maxTokens: cap, historyEvents: 10_000 },
  });

describe('a token cap with MCP tools', () => {
  it("holds the MCP tools' definitions in the first turn's worst case, so a turn that could pass the cap never starts", async () => {
    // What the API counts for the request, tools included: more than the cap leaves.
    const answer = { text: 'found it', usage: { inputTokens: CAP, outputTokens: 20 } };
    const t = await startTestEnvironment({
      teams: [team(CAP), team(1_000_000)],
      server: 'dev-server',
      script: { librarian: [answer, answer] },
    });
    try {
      // With room for everything, the turn runs: the measured definitions are recorded in history.
      const roomy = await t.start('mcp-capped-1000000', 'Find the tiny image.');
      expect((await roomy.result()).output).toBe('found it');
      const events = (await roomy.handle.fetchHistory()).events ?? [];
      const measured = events.flatMap((e) => {
        const result = e.markerRecordedEventAttributes?.details?.['result']?.payloads?.[0]?.data;
        return result ? [JSON.parse(Buffer.from(result).toString('utf8')) as unknown] : [];
      });
      // Six tools and a resource list: more than the cap leaves once the spec, the task and the output are counted.
      expect(measured).toEqual([expect.any(Number)]);
      expect(measured[0]).toBeGreaterThan(CAP - 500 - OUTPUT_TOKENS);
      expect(t.double.scripted.requests).toHaveLength(1);

      // Under the cap, the first turn's worst case (spec, task, output and the MCP tools) does not fit: no call is made.
      const capped = await t.start(`mcp-capped-${CAP}`, 'Find the tiny image.');
      const result = await capped.result();
      expect(result).toMatchObject({ partial: true, stoppedBy: 'maxTokens', agentCalls: 0 });
      expect(result.usage.inputTokens + result.usage.outputTokens).toBeLessThanOrEqual(CAP);
      expect(t.double.scripted.requests).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});

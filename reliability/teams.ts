/**
 * The teams the reliability harness runs: every example (one per topology, a hierarchy, an agent
 * with tools), a team whose work waits for a person's approval, which the harness gives, and an
 * agent calling two MCP servers (one over stdio, one over Streamable HTTP) that the harness kills.
 */
import { fileURLToPath } from 'node:url';
import { defineAgent, defineMcpServer, defineTeam } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';
import { offlineScript, teams as exampleTeams } from '../examples/index.js';

const announcer = defineAgent({
  name: 'announcer',
  role: 'writer',
  system: 'Write a one-line release announcement.',
  output: 'text',
});

export const approvalTeam = defineTeam({
  name: 'reliability-approval',
  agents: [announcer],
  topology: {
    kind: 'pipeline',
    steps: [{ agent: 'announcer', approval: { gate: 'publish', approvers: ['ana'], timeout: '7d' } }],
  },
});

/** The MCP server both transports run (the MCP SDK's own); its `tally` tool logs each execution to TALLY_LOG. */
export const TALLY_SERVER = fileURLToPath(new URL('../test/fixtures/mcp-server.ts', import.meta.url));
// Retried through a server's restart: a few seconds of attempts.
const mcpRetry = { maximumAttempts: 30, initialInterval: 200, backoffCoefficient: 1.5, maximumInterval: 2_000 };
const tallier = defineAgent({
  name: 'tallier',
  role: 'clerk',
  system: 'Count the steps with the tools.',
  output: 'text',
  mcp: [
    defineMcpServer({
      name: 'tally-local',
      command: process.execPath,
      args: ['--import', 'tsx', TALLY_SERVER, 'stdio'],
      env: { TALLY_LOG: process.env['RELIABILITY_MCP_LOG'] ?? '' },
      tools: ['tally'],
      prefix: 'local',
      timeout: '10s',
      retry: mcpRetry,
    }),
    defineMcpServer({
      name: 'tally-web',
      url: `http://127.0.0.1:${process.env['RELIABILITY_MCP_PORT'] ?? '9'}/mcp`,
      tools: ['tally'],
      prefix: 'web',
      timeout: '10s',
      retry: mcpRetry,
    }),
  ],
});
export const mcpTeam = defineTeam({
  name: 'reliability-mcp',
  agents: [tallier],
  topology: { kind: 'pipeline', steps: [{ agent: 'tallier' }] },
});

export const teams = [...exampleTeams, approvalTeam, mcpTeam];

export const script: MessagesScript = {
  ...offlineScript,
  'reliability-approval/announcer': [{ text: 'Troupe 0.1: durable multi-agent runs on Temporal.' }],
  'reliability-mcp/tallier': [
    {
      toolUse: [
        { name: 'local_tally', input: { step: 'a', ms: 300 } },
        { name: 'web_tally', input: { step: 'b', ms: 300 } },
      ],
    },
    { toolUse: [{ name: 'web_tally', input: { step: 'c', ms: 300 } }] },
    { text: 'tallied a, b and c' },
  ],
};

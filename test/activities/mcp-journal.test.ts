import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createFileAnswerJournal,
  createFilePayloadStore,
  createActivities,
  type ToolOutcome,
} from '../../src/activities/index.js';
import { createOfflineAnthropic } from '../../src/activities/index.js';
import { TeamRegistry, defineAgent, defineMcpServer, defineTeam } from '../../src/team/index.js';
import { connectMcpServers, type McpConnections } from '../../src/workers/mcp-connections.js';

// An MCP tool's result is journaled like a model's answer: the retry of a call whose completion was
// lost (its worker died, or the Temporal server was down) reuses it instead of running the tool again.
const SERVER = fileURLToPath(new URL('../fixtures/mcp-server.ts', import.meta.url));
const log = join(mkdtempSync(join(tmpdir(), 'troupe-tally-')), 'tally.log');
const team = defineTeam({
  name: 'tallying',
  agents: [
    defineAgent({
      name: 'tallier',
      role: 'clerk',
      system: 's',
      output: 'text',
      mcp: [
        defineMcpServer({
          name: 'tally',
          command: process.execPath,
          args: ['--import', 'tsx', SERVER],
          env: { TALLY_LOG: log },
          tools: ['tally'],
        }),
      ],
    }),
  ],
  topology: { kind: 'pipeline', steps: [{ agent: 'tallier' }] },
});
let mcp: McpConnections;

beforeAll(async () => {
  writeFileSync(log, '');
  mcp = await connectMcpServers(new TeamRegistry([team]));
});
afterAll(async () => {
  await mcp?.close();
});

function worker(journalDir: string) {
  return createActivities({
    anthropic: createOfflineAnthropic({}).anthropic,
    teams: new TeamRegistry([team]),
    payloads: createFilePayloadStore(mkdtempSync(join(tmpdir(), 'troupe-payloads-'))),
    mcp,
    answers: createFileAnswerJournal(journalDir),
  });
}
const attempt = (n: number, activityId = '5') =>
  new MockActivityEnvironment(
    {
      attempt: n,
      activityId,
      workflowExecution: { workflowId: 'tally-run', runId: 'r1' },
      startToCloseTimeoutMs: 10_000,
      heartbeatTimeoutMs: 3_000,
    },
    { logger: new DefaultLogger('ERROR') },
  );
const call = {
  team: 'tallying',
  agent: 'tallier',
  server: 'tally',
  tool: 'tally',
  toolUseId: 'toolu_1',
  input: { step: 'a', ms: 10 },
};
const executions = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);

describe('MCP results in the journal', () => {
  it('lets a retried attempt reuse the result instead of running the tool again; another call runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-journal-'));
    const first: ToolOutcome = await attempt(1).run(worker(dir).runMcpTool, call);
    expect(first.content).toBe('counted a');
    expect(executions()).toHaveLength(1);
    expect(executions()[0]).toMatch(/^done tally-run\/5 \d+ \d+$/); // the call's identity reached the server in _meta

    const second: ToolOutcome = await attempt(2).run(worker(dir).runMcpTool, call);
    expect(second).toEqual(first);
    expect(executions()).toHaveLength(1);

    await attempt(1, '6').run(worker(dir).runMcpTool, call);
    expect(executions()).toHaveLength(2);
  });
});

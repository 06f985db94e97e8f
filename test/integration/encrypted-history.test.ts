import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fetchRunHistory, readRunHistory } from '../../src/client/index.js';
import { ENCRYPTED_ENCODING, isEncrypted, payloadDataConverter, startCodecServer } from '../../src/codec/index.js';
import { resolveTemporalBinary } from '../../src/hosting/index.js';
import { defineAgent, defineTeam } from '../../src/team/index.js';
import { startTestEnvironment, type TroupeTestEnvironment } from '../../src/testing/index.js';
import { replayHistoryFile } from '../../src/workers/index.js';
import type { Payload } from '@temporalio/common';

const execFileAsync = promisify(execFile);

// With TROUPE_PAYLOAD_KEY set, the client, the worker and the testing kit all encrypt: the server
// stores no prompt, output or decision in plaintext, and Troupe reads them back decrypted.
process.env['TROUPE_PAYLOAD_KEY'] = `test-key:${randomBytes(32).toString('base64')}`;

const fast = { timeout: '2s', heartbeatTimeout: '2s', retry: { maximumAttempts: 2, initialInterval: 100 } } as const;
const team = defineTeam({
  name: 'sealed-brief',
  agents: [
    defineAgent({ name: 'researcher', role: 'researcher', system: 'Find facts.', output: z.object({ findings: z.array(z.string()) }), ...fast }),
    defineAgent({ name: 'writer', role: 'writer', system: 'Write.', output: 'text', ...fast }),
  ],
  topology: { kind: 'pipeline', steps: [{ agent: 'researcher' }, { agent: 'writer', approval: { gate: 'publish', approvers: ['ana'], timeout: '7d' } }] },
});

// Plaintext that must never reach the server: the task, every output, every decision's comment.
const SECRETS = {
  prompt: 'PROMPT-secret-lighthouse',
  finding: 'FINDING-zebra-quartz',
  draft: 'DRAFT-violet-harbor',
  revision: 'REVISED-amber-comet',
  changes: 'COMMENT-tangerine-falcon',
  approval: 'APPROVED-cobalt-meadow',
};

let t: TroupeTestEnvironment;
beforeAll(async () => {
  t = await startTestEnvironment({
    teams: [team],
    script: { researcher: [{ json: { findings: [SECRETS.finding] } }], writer: [{ text: SECRETS.draft }, { text: SECRETS.revision }] },
  });
});
afterAll(async () => {
  await t?.close();
});

/** Every payload in a message, wherever it sits. */
function payloadsIn(node: unknown, found: Payload[] = []): Payload[] {
  if (typeof node !== 'object' || node === null || ArrayBuffer.isView(node)) return found;
  const metadata = (node as Payload).metadata;
  if (metadata && ArrayBuffer.isView(metadata['encoding'])) found.push(node);
  else for (const value of Object.values(node)) payloadsIn(value, found);
  return found;
}

describe('a run with payload encryption on', () => {
  it('leaves no plaintext of the prompt, the outputs or the decisions in the server history, and Troupe reads them decrypted', async () => {
    const run = await t.start('sealed-brief', SECRETS.prompt);
    await t.waitForApproval(run, 'publish');
    await run.decide({ by: 'ana', decision: 'request-changes', comment: SECRETS.changes });
    await t.sleep('1 minute');
    await t.waitForApproval(run, 'publish');
    await run.decide({ by: 'ana', decision: 'approve', comment: SECRETS.approval });
    expect((await run.result()).output).toBe(SECRETS.revision);

    // The history exactly as the server stores it, read with the workflow service (no codec).
    const { history } = await t.env.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: run.workflowId } });
    const stored = Buffer.from(proto.temporal.api.history.v1.History.encode(history!).finish());
    for (const secret of Object.values(SECRETS)) expect(stored.includes(secret), `"${secret}" in the stored history`).toBe(false);
    const payloads = payloadsIn(history);
    expect(payloads.length).toBeGreaterThan(10);
    expect(payloads.filter((p) => !isEncrypted(p)).map((p) => new TextDecoder().decode(p.metadata!['encoding']))).toEqual([]);
    expect(stored.includes(ENCRYPTED_ENCODING)).toBe(true);

    // Troupe's client decrypts: the audit trail shows the task, the outputs and both decisions.
    const decoded = await fetchRunHistory(t.env.client, run.workflowId);
    const trail = await readRunHistory(run.workflowId, decoded);
    const agents = trail.steps.filter((s) => s.kind === 'agent');
    expect(agents.map((s) => [s.agent, s.output])).toEqual([
      ['researcher', { findings: [SECRETS.finding] }],
      ['writer', SECRETS.draft],
      ['writer', SECRETS.revision],
    ]);
    expect(agents[0]?.summary).toContain(SECRETS.prompt);
    const decisions = trail.steps.filter((s) => s.kind === 'decision').map((s) => s.decision);
    expect(decisions).toEqual([
      expect.objectContaining({ by: 'ana', decision: 'request-changes', comment: SECRETS.changes }),
      expect.objectContaining({ by: 'ana', decision: 'approve', comment: SECRETS.approval }),
    ]);
    expect(trail.team).toBe('sealed-brief');

    // The encrypted history replays with the same keys.
    const file = join(mkdtempSync(join(tmpdir(), 'troupe-sealed-')), `${run.workflowId}.json`);
    const raw = await run.handle.fetchHistory();
    writeFileSync(file, historyToJSON(raw));
    expect(await replayHistoryFile(file)).toMatchObject({ ok: true });

    // The Temporal CLI shows the history decrypted through the codec server, given the token.
    const cli = resolveTemporalBinary('dev-server');
    const temporalCli = cli.type === 'existing-path' ? cli.path : 'temporal';
    const codec = await startCodecServer({ codec: payloadDataConverter().payloadCodecs![0]!, token: 'a-codec-token-for-tests', origins: [] });
    try {
      // The CLI prints payloads as proto JSON: their data in base64.
      const payloadData = (json: string) => [...json.matchAll(/"data": "([^"]*)"/g)].map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8')).join('\n');
      const show = (...extra: string[]) =>
        execFileAsync(temporalCli, ['workflow', 'show', '-w', run.workflowId, '--address', t.env.address, '-o', 'json', '--codec-endpoint', codec.url, ...extra]);
      const { stdout } = await show('--codec-auth', 'Bearer a-codec-token-for-tests');
      for (const secret of Object.values(SECRETS)) expect(payloadData(stdout)).toContain(secret);
      // Without the token the codec server decrypts nothing.
      const blind = await show().then(({ stdout: out }) => payloadData(out), (error: unknown) => String(error));
      for (const secret of Object.values(SECRETS)) expect(blind).not.toContain(secret);
    } finally {
      await codec.close();
    }
  });
});

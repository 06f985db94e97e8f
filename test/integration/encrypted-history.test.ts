import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeFailure, fetchRunHistory, readRunHistory } from '../../src/client/index.js';
import { ENCRYPTED_ENCODING, isEncrypted, payloadDataConverter, startCodecServer } from '../../src/codec/index.js';
import { resolveTemporalBinary } from '../../src/hosting/index.js';
import { defineAgent, defineTeam } from '../../src/team/index.js';
import { feedText, startTestEnvironment, type TroupeTestEnvironment } from '../../src/testing/index.js';
import { replayHistoryFile } from '../../src/workers/index.js';
import type { Payload } from '@temporalio/common';
import { troupe } from '../support/cli.js';

const execFileAsync = promisify(execFile);

// With TROUPE_PAYLOAD_KEY set, the client, the worker and the testing kit all encrypt: the server
// stores no prompt, output or decision in plaintext, and Troupe reads them back decrypted.
process.env['TROUPE_PAYLOAD_KEY'] = `test-key:${randomBytes(32).toString('base64')}`;
// The worker keeps its answer journal and payload store under TROUPE_HOME: encrypted as well.
const home = mkdtempSync(join(tmpdir(), 'troupe-sealed-home-'));
process.env['TROUPE_HOME'] = home;

const fast = { timeout: '2s', heartbeatTimeout: '2s', retry: { maximumAttempts: 2, initialInterval: 100 } } as const;
const team = defineTeam({
  name: 'sealed-brief',
  agents: [
    defineAgent({
      name: 'researcher',
      role: 'researcher',
      system: 'Find facts.',
      output: z.object({ findings: z.array(z.string()) }),
      ...fast,
    }),
    defineAgent({ name: 'writer', role: 'writer', system: 'Write.', output: 'text', ...fast }),
  ],
  topology: {
    kind: 'pipeline',
    steps: [
      { agent: 'researcher' },
      { agent: 'writer', approval: { gate: 'publish', approvers: ['ana'], timeout: '7d' } },
    ],
  },
});
// A run that fails: the model API refuses the request with a message the failure carries.
const failing = defineTeam({
  name: 'sealed-failure',
  agents: [defineAgent({ name: 'refused', role: 'writer', system: 'Write.', output: 'text', ...fast })],
  topology: { kind: 'pipeline', steps: [{ agent: 'refused' }] },
});
const FAILURE_MARKER = 'FAILURE-saffron-glacier';
// A run whose agent streams its answer into the feed over many signals.
const streamed = defineTeam({
  name: 'sealed-stream',
  agents: [defineAgent({ name: 'narrator', role: 'writer', system: 'Tell.', output: 'text', ...fast })],
  topology: { kind: 'pipeline', steps: [{ agent: 'narrator' }] },
});
const STORY = Array.from({ length: 30 }, (_, i) => `SEALED${i}`).join(' ');

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
    teams: [team, failing, streamed],
    script: {
      researcher: [{ json: { findings: [SECRETS.finding] } }],
      writer: [{ text: SECRETS.draft }, { text: SECRETS.revision }],
      refused: [{ error: { status: 400, message: `the prompt mentions ${FAILURE_MARKER}` } }],
      narrator: [{ text: STORY, tokenDelayMs: 40 }],
    },
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
    const { history } = await t.env.connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: run.workflowId },
    });
    const stored = Buffer.from(proto.temporal.api.history.v1.History.encode(history!).finish());
    for (const secret of Object.values(SECRETS))
      expect(stored.includes(secret), `"${secret}" in the stored history`).toBe(false);
    const payloads = payloadsIn(history);
    expect(payloads.length).toBeGreaterThan(10);
    expect(
      payloads.filter((p) => !isEncrypted(p)).map((p) => new TextDecoder().decode(p.metadata!['encoding'])),
    ).toEqual([]);
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

    // The worker's own disk: one journal entry per paid answer, encrypted with the same key.
    const kept = readdirSync(home, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(kept.filter((entry) => entry.name.endsWith('.sealed'))).toHaveLength(3);
    expect(kept.filter((entry) => !entry.name.endsWith('.sealed')).map((entry) => entry.name)).toEqual([]);
    const bytes = kept.map((entry) => readFileSync(join(entry.parentPath, entry.name)));
    for (const secret of Object.values(SECRETS))
      expect(
        bytes.some((b) => b.includes(secret)),
        `"${secret}" on the worker's disk`,
      ).toBe(false);

    // The Temporal CLI shows the history decrypted through the codec server, given the token.
    const cli = resolveTemporalBinary('dev-server');
    const temporalCli = cli.type === 'existing-path' ? cli.path : 'temporal';
    const codec = await startCodecServer({
      codec: payloadDataConverter().payloadCodecs![0]!,
      token: 'a-codec-token-for-tests',
      origins: [],
    });
    try {
      // The CLI prints payloads as proto JSON: their data in base64.
      const payloadData = (json: string) =>
        [...json.matchAll(/"data": "([^"]*)"/g)]
          .map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8'))
          .join('\n');
      const show = (...extra: string[]) =>
        execFileAsync(temporalCli, [
          'workflow',
          'show',
          '-w',
          run.workflowId,
          '--address',
          t.env.address,
          '-o',
          'json',
          '--codec-endpoint',
          codec.url,
          ...extra,
        ]);
      const { stdout } = await show('--codec-auth', 'Bearer a-codec-token-for-tests');
      for (const secret of Object.values(SECRETS)) expect(payloadData(stdout)).toContain(secret);
      // Without the token the codec server decrypts nothing.
      const blind = await show().then(
        ({ stdout: out }) => payloadData(out),
        (error: unknown) => String(error),
      );
      for (const secret of Object.values(SECRETS)) expect(blind).not.toContain(secret);
    } finally {
      await codec.close();
    }
  });

  it("streams the feed to Troupe's client decrypted, while the server keeps every batch and every read encrypted", async () => {
    const run = await t.start('sealed-stream', 'Tell a story.');
    const items = [];
    for await (const item of t.stream(run)) items.push(item);
    expect(feedText(items, ['narrator'])).toBe(STORY);
    // It came in several batches: signals to publish, update results to read.
    expect(items.filter((item) => item.type === 'text').length).toBeGreaterThan(2);
    const { history } = await t.env.connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: run.workflowId },
    });
    const events = history?.events ?? [];
    expect(
      events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'troupe.feed.publish').length,
    ).toBeGreaterThan(1);
    expect(events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).length).toBeGreaterThan(1);
    const stored = Buffer.from(proto.temporal.api.history.v1.History.encode(history!).finish());
    for (const word of ['SEALED0', 'SEALED15', 'SEALED29']) expect(stored.includes(word), word).toBe(false);
    expect(payloadsIn(history).filter((p) => !isEncrypted(p))).toEqual([]);
  });

  it('leaves no failure message or stack trace in the server history, and Troupe, troupe status and troupe history read them', async () => {
    const run = await t.start('sealed-failure', 'Write something.');
    const failure = describeFailure(
      await run.result().then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect(failure.type).toBe('ModelBadRequest');
    expect(failure.message).toContain(FAILURE_MARKER);

    // As stored: the activity's failure (converted on the worker's main side) and the run's (converted
    // in the workflow sandbox) both say only "Encoded failure"; their text is in encrypted payloads.
    const { history } = await t.env.connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: run.workflowId },
    });
    const stored = Buffer.from(proto.temporal.api.history.v1.History.encode(history!).finish());
    expect(stored.includes(FAILURE_MARKER)).toBe(false);
    expect(stored.includes('classifyModelError')).toBe(false); // a frame of the failure's stack trace
    const events = history?.events ?? [];
    const activityFailure = events.find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes
      ?.failure;
    const runFailure = events.find((e) => e.workflowExecutionFailedEventAttributes)
      ?.workflowExecutionFailedEventAttributes?.failure;
    for (const stack of [activityFailure, runFailure]) {
      const chain = [];
      for (let f = stack; f; f = f.cause) chain.push(f);
      expect(chain.length).toBeGreaterThan(0);
      expect(chain.map((f) => f.message)).toEqual(chain.map(() => 'Encoded failure'));
      expect(chain.every((f) => f.encodedAttributes && isEncrypted(f.encodedAttributes))).toBe(true);
    }

    // Decoded with the key: the audit trail names the failure and its message.
    const trail = await readRunHistory(run.workflowId, await fetchRunHistory(t.env.client, run.workflowId));
    const call = trail.steps.find((s) => s.kind === 'agent');
    expect(call?.agent).toBe('refused');
    expect(call?.failure?.type).toBe('ModelBadRequest');
    expect(call?.failure?.message).toContain(FAILURE_MARKER);
    const end = trail.steps.at(-1);
    expect(end?.kind === 'end' && end.status).toBe('failed');
    expect(end?.kind === 'end' && end.detail).toMatch(
      new RegExp(`^ModelBadRequest: agent "refused": .*${FAILURE_MARKER}`),
    );

    // The CLI, given the key, shows the message; without it, the run's history cannot be read.
    const cli = {
      TEMPORAL_ADDRESS: t.env.address,
      TEMPORAL_NAMESPACE: 'default',
      TROUPE_PAYLOAD_KEY: process.env['TROUPE_PAYLOAD_KEY']!,
    };
    const status = await troupe(['status', run.workflowId], cli);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`Failed (ModelBadRequest): agent "refused": `);
    expect(status.stdout).toContain(FAILURE_MARKER);
    const shown = await troupe(['history', run.workflowId], cli);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(FAILURE_MARKER);
    const blind = await troupe(['history', run.workflowId], { ...cli, TROUPE_PAYLOAD_KEY: '' });
    expect(blind.stdout + blind.stderr).not.toContain(FAILURE_MARKER);
  });
});

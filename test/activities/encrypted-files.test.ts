import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createActivities,
  createFileAnswerJournal,
  createFilePayloadStore,
  type AgentCallResult,
  type MessagesScript,
  type ModelTurnResult,
} from '../../src/activities/index.js';
import { AesGcmPayloadCodec, type PayloadKey } from '../../src/codec/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { FailureType } from '../../src/team/index.js';
import { extractThenWrite, registry, toolTeam } from '../support/teams.js';

// With a payload key, what workers keep on their own disks (the answer journal, the payload store)
// is encrypted with the payload codec: the same key, the same rotation.
let double: MessagesApiDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const oldKey: PayloadKey = { id: 'old', key: randomBytes(32) };
const newKey: PayloadKey = { id: 'new', key: randomBytes(32) };
const strangerKey: PayloadKey = { id: 'stranger', key: randomBytes(32) };
const codecs = (current: PayloadKey, old: PayloadKey[] = []) => ({ codecs: [new AesGcmPayloadCodec(current, old)] });

const MARKERS = { prompt: 'PROMPT-indigo-lantern', answer: 'ANSWER-copper-tundra', tool: 'TOOL-INPUT-mossy-anvil' };
const drafter = extractThenWrite.agent('drafter')!.spec;
const researcher = toolTeam.agent('researcher')!.spec;
const ask = { team: 'extract-then-write', agent: drafter, prompt: `Write about ${MARKERS.prompt}.` };
const turn = {
  team: 'tool-team',
  agent: { name: researcher.name, role: researcher.role, model: researcher.model },
  first: { spec: researcher, prompt: `Look up ${MARKERS.prompt}.` },
};

/** A worker's activities over these journal and payload folders, and an attempt of activity 7 of one run. */
async function worker(
  script: MessagesScript,
  dirs: { journal: string; payloads: string },
  files: ReturnType<typeof codecs>,
) {
  double ??= await startMessagesApiDouble(script);
  const activities = createActivities({
    anthropic: double.client(),
    teams: registry,
    payloads: createFilePayloadStore(dirs.payloads, files),
    answers: createFileAnswerJournal(dirs.journal, files),
  });
  const attempt = (n: number) =>
    new MockActivityEnvironment(
      {
        attempt: n,
        activityId: '7',
        workflowExecution: { workflowId: 'sealed-run', runId: 'run-1' },
        startToCloseTimeoutMs: 5_000,
        heartbeatTimeoutMs: 3_000,
      },
      { logger: new DefaultLogger('ERROR') },
    );
  return { activities, attempt };
}

const folders = () => ({
  journal: mkdtempSync(join(tmpdir(), 'troupe-journal-')),
  payloads: mkdtempSync(join(tmpdir(), 'troupe-payloads-')),
});

/** Every file under `dir` (with its path) and its bytes. */
function filesUnder(dir: string): { name: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => ({
      name: join(entry.parentPath, entry.name),
      bytes: readFileSync(join(entry.parentPath, entry.name)),
    }));
}

describe("a worker's files with a payload key", () => {
  it('journals answers encrypted, and a retried attempt reuses them after the key is rotated', async () => {
    const dirs = folders();
    const first = await worker(
      { drafter: [{ text: MARKERS.answer }, { text: 'a second, paid answer' }] },
      dirs,
      codecs(oldKey),
    );
    const answered: AgentCallResult = await first.attempt(1).run(first.activities.runAgent, ask);
    expect(answered.output).toBe(MARKERS.answer);
    const journaled = filesUnder(dirs.journal);
    expect(journaled.map((f) => f.name)).toEqual([expect.stringMatching(/[0-9a-f]{64}\.sealed$/)]);
    for (const marker of Object.values(MARKERS))
      expect(
        journaled.some((f) => f.bytes.includes(marker)),
        marker,
      ).toBe(false);
    expect(journaled.some((f) => f.bytes.includes('"content"'))).toBe(false);

    // The completion was lost; the key was rotated meanwhile: attempt 2 on a fresh worker opens the old entry.
    const rotated = await worker({}, dirs, codecs(newKey, [oldKey]));
    const reused: AgentCallResult = await rotated.attempt(2).run(rotated.activities.runAgent, ask);
    expect(double!.scripted.callsTo('drafter')).toBe(1);
    expect(reused).toEqual(answered);

    // A worker that holds none of the keys cannot open it: the entry reads as absent, and the call is made again.
    const stranger = await worker({}, dirs, codecs(strangerKey));
    const again: AgentCallResult = await stranger.attempt(3).run(stranger.activities.runAgent, ask);
    expect(double!.scripted.callsTo('drafter')).toBe(2);
    expect(again.output).toBe('a second, paid answer');
  });

  it('keeps tool-loop conversations encrypted; after rotation they still read, and one that cannot be decrypted fails plainly', async () => {
    const dirs = folders();
    const { activities, attempt } = await worker(
      { researcher: [{ toolUse: [{ name: 'search', input: { query: MARKERS.tool } }] }] },
      dirs,
      codecs(oldKey),
    );
    const result: ModelTurnResult = await attempt(1).run(activities.runModelTurn, turn);
    expect(result.toolUses).toEqual([expect.objectContaining({ name: 'search', input: { query: MARKERS.tool } })]);
    const stored = filesUnder(dirs.payloads);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((f) => f.name.endsWith('.sealed'))).toBe(true);
    for (const file of [...stored, ...filesUnder(dirs.journal)]) {
      for (const marker of Object.values(MARKERS))
        expect(file.bytes.includes(marker), `${marker} in ${file.name}`).toBe(false);
    }

    const conversation = await createFilePayloadStore(dirs.payloads, codecs(newKey, [oldKey])).get(result.conversation);
    expect(JSON.stringify(conversation)).toContain(MARKERS.prompt);
    expect(JSON.stringify(conversation)).toContain(MARKERS.tool);

    const refused = await createFilePayloadStore(dirs.payloads, codecs(strangerKey))
      .get(result.conversation)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: FailureType.PayloadMissing, nonRetryable: true });
    expect((refused as Error).message).toContain(`"${result.conversation}" in this worker's payload store`);
    expect((refused as Error).message).toContain('encrypted with key "old"');
    expect((refused as Error).message).toContain('TROUPE_PAYLOAD_OLD_KEYS');
  });

  it('without a key, the files stay JSON, as before', async () => {
    const dirs = folders();
    const { activities, attempt } = await worker({ drafter: [{ text: MARKERS.answer }] }, dirs, { codecs: [] });
    await attempt(1).run(activities.runAgent, ask);
    const journaled = filesUnder(dirs.journal);
    expect(journaled.map((f) => f.name)).toEqual([expect.stringMatching(/\.json$/)]);
    expect(
      (JSON.parse(journaled[0]!.bytes.toString('utf8')) as { answer: { content: { text: string }[] } }).answer
        .content[0]?.text,
    ).toBe(MARKERS.answer);
  });

  it('reads what was written before the key was turned on, so runs in flight go on; without the key a sealed entry is absent', async () => {
    const dirs = folders();
    const drafterScript = [{ text: MARKERS.answer }, { text: 'sealed answer' }, { text: 'paid again' }];
    const plain = await worker(
      { researcher: [{ toolUse: [{ name: 'search', input: { query: MARKERS.tool } }] }], drafter: drafterScript },
      dirs,
      { codecs: [] },
    );
    const result: ModelTurnResult = await plain.attempt(1).run(plain.activities.runModelTurn, turn);
    const answered: AgentCallResult = await plain.attempt(1).run(plain.activities.runAgent, ask);

    // The worker restarts with a key: the plain conversation and journal entry still read.
    const sealed = await worker({}, dirs, codecs(newKey));
    expect(
      JSON.stringify(await createFilePayloadStore(dirs.payloads, codecs(newKey)).get(result.conversation)),
    ).toContain(MARKERS.tool);
    expect(await sealed.attempt(2).run(sealed.activities.runAgent, ask)).toEqual(answered);
    expect(double!.scripted.callsTo('drafter')).toBe(1);

    // A call journaled sealed, retried by a worker with no key: it cannot open the entry, so the call is made again.
    const other = { ...ask, prompt: `Write again about ${MARKERS.prompt}.` };
    const first: AgentCallResult = await sealed.attempt(1).run(sealed.activities.runAgent, other);
    expect(first.output).toBe('sealed answer');
    const keyless = await worker({}, dirs, { codecs: [] });
    const retried: AgentCallResult = await keyless.attempt(2).run(keyless.activities.runAgent, other);
    expect(retried.output).toBe('paid again');
    expect(double!.scripted.callsTo('drafter')).toBe(3);
  });
});

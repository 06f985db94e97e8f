import type Anthropic from '@anthropic-ai/sdk';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createActivities,
  createFileAnswerJournal,
  createFilePayloadStore,
  type AgentCallResult,
  type AnswerJournal,
  type MessagesScript,
  type ModelTurnResult,
} from '../../src/activities/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { extractThenWrite, registry, toolTeam } from '../support/teams.js';

// The answer journal: a retried attempt of a model call reuses the answer its predecessor paid for.
let double: MessagesApiDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const extractor = extractThenWrite.agent('extractor')!.spec;
const researcher = toolTeam.agent('researcher')!.spec;
const run = { workflowId: 'journal-run', runId: 'run-1' };

/** The activities of one worker with this journal, and an attempt of activity `activityId` of `run`. */
async function worker(script: MessagesScript, answers: AnswerJournal) {
  double ??= await startMessagesApiDouble(script);
  const activities = createActivities({
    anthropic: double.client(),
    teams: registry,
    payloads: createFilePayloadStore(mkdtempSync(join(tmpdir(), 'troupe-payloads-'))),
    answers,
  });
  const attempt = (n: number, activityId = '7', execution = run) =>
    new MockActivityEnvironment(
      { attempt: n, activityId, workflowExecution: execution, startToCloseTimeoutMs: 5_000, heartbeatTimeoutMs: 3_000 },
      { logger: new DefaultLogger('ERROR') },
    );
  return { activities, attempt };
}

const journalDir = () => mkdtempSync(join(tmpdir(), 'troupe-journal-'));
const ask = { team: 'extract-then-write', agent: extractor, prompt: 'six times seven?' };

describe('the answer journal', () => {
  it('lets a retried attempt reuse the paid answer, with its usage, instead of calling the model again', async () => {
    const dir = journalDir();
    const { activities, attempt } = await worker(
      { extractor: [{ json: { answer: 42 } }, { json: { answer: 43 } }] },
      createFileAnswerJournal(dir),
    );
    const first: AgentCallResult = await attempt(1).run(activities.runAgent, ask);
    expect(double!.scripted.callsTo('extractor')).toBe(1);
    expect(readdirSync(dir)).toHaveLength(1); // journaled before the activity returned

    // The completion of attempt 1 was lost (worker killed, server down): attempt 2, on a fresh worker, same journal.
    const restarted = await worker({}, createFileAnswerJournal(dir));
    const second: AgentCallResult = await restarted.attempt(2).run(restarted.activities.runAgent, ask);
    expect(double!.scripted.callsTo('extractor')).toBe(1);
    expect(second).toEqual(first);
    expect(second.output).toEqual({ answer: 42 });
  });

  it('calls the model for a different input, another activity or another run', async () => {
    const { activities, attempt } = await worker(
      { extractor: [{ json: { answer: 42 } }] },
      createFileAnswerJournal(journalDir()),
    );
    await attempt(1).run(activities.runAgent, ask);
    await attempt(2).run(activities.runAgent, { ...ask, prompt: 'seven times six?' });
    await attempt(1, '8').run(activities.runAgent, ask);
    await attempt(1, '7', { workflowId: 'journal-run', runId: 'run-2' }).run(activities.runAgent, ask);
    expect(double!.scripted.callsTo('extractor')).toBe(4);
  });

  it('ignores an entry it cannot read, makes the call and journals the new answer', async () => {
    const dir = journalDir();
    const { activities, attempt } = await worker(
      { extractor: [{ json: { answer: 42 } }, { json: { answer: 43 } }] },
      createFileAnswerJournal(dir),
    );
    await attempt(1).run(activities.runAgent, ask);
    const [entry] = readdirSync(dir);
    writeFileSync(join(dir, entry!), '{"key": "journal-run/run-1/7/'); // cut off mid-write
    const second: AgentCallResult = await attempt(2).run(activities.runAgent, ask);
    expect(double!.scripted.callsTo('extractor')).toBe(2);
    expect(second.output).toEqual({ answer: 43 });
    const third: AgentCallResult = await attempt(3).run(activities.runAgent, ask);
    expect(double!.scripted.callsTo('extractor')).toBe(2);
    expect(third.output).toEqual({ answer: 43 });
  });

  it('works with a store of your own (e.g. shared by workers on several machines)', async () => {
    const entries = new Map<string, Anthropic.Message>();
    const puts: string[] = [];
    const shared: AnswerJournal = {
      get: (key) => Promise.resolve(entries.get(key)),
      put: (key, answer) => {
        puts.push(key);
        entries.set(key, answer);
        return Promise.resolve();
      },
    };
    const machineA = await worker({ extractor: [{ json: { answer: 42 } }] }, shared);
    await machineA.attempt(1).run(machineA.activities.runAgent, ask);
    const machineB = await worker({}, shared);
    const retried: AgentCallResult = await machineB.attempt(2).run(machineB.activities.runAgent, ask);
    expect(retried.output).toEqual({ answer: 42 });
    expect(double!.scripted.callsTo('extractor')).toBe(1);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatch(/^journal-run\/run-1\/7\/[0-9a-f]{64}$/);
  });

  it('still answers when the journal fails, by calling the model', async () => {
    const broken: AnswerJournal = {
      get: () => Promise.reject(new Error('store down')),
      put: () => Promise.reject(new Error('store down')),
    };
    const { activities, attempt } = await worker({ extractor: [{ json: { answer: 42 } }] }, broken);
    const result: AgentCallResult = await attempt(1).run(activities.runAgent, ask);
    expect(result.output).toEqual({ answer: 42 });
    expect(double!.scripted.callsTo('extractor')).toBe(1);
  });

  it('covers the model turns of a tool loop', async () => {
    const dir = journalDir();
    const { activities, attempt } = await worker(
      { researcher: [{ toolUse: [{ name: 'search', input: { query: 'temporal' } }] }] },
      createFileAnswerJournal(dir),
    );
    const turn = {
      team: 'tool-team',
      agent: { name: researcher.name, role: researcher.role, model: researcher.model },
      first: { spec: researcher, prompt: 'Look it up.' },
    };
    const first: ModelTurnResult = await attempt(1).run(activities.runModelTurn, turn);
    const second: ModelTurnResult = await attempt(2).run(activities.runModelTurn, turn);
    expect(double!.scripted.callsTo('researcher')).toBe(1);
    expect(second.toolUses).toEqual(first.toolUses);
    expect(second.usage).toEqual(first.usage);
  });

  it('prunes entries older than a given date', async () => {
    const dir = journalDir();
    const journal = createFileAnswerJournal(dir);
    const { activities, attempt } = await worker({ extractor: [{ json: { answer: 42 } }] }, journal);
    await attempt(1).run(activities.runAgent, ask);
    await attempt(1, '8').run(activities.runAgent, ask);
    const [old] = readdirSync(dir);
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    utimesSync(join(dir, old!), tenDaysAgo, tenDaysAgo);
    expect(await journal.prune!(new Date(Date.now() - 7 * 86_400_000))).toBe(1);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(readdirSync(dir)).not.toContain(old);
  });
});

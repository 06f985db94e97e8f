import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnswerJournal, MessagesScript, ScriptedReply } from '../../src/activities/index.js';
import { askModel, resolveAgent } from '../../src/activities/model-call.js';
import { FailureType } from '../../src/team/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { extractThenWrite, registry } from '../support/teams.js';

// askModel with onText streams through the SDK and ends as without it: the same message, the same
// failures. Temporal's own MockActivityEnvironment gives it an activity context; no server is started.
const doubles: MessagesApiDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

const team = 'extract-then-write';
const drafter = resolveAgent(registry, { team, agent: extractThenWrite.agent('drafter')!.spec });
const extractor = resolveAgent(registry, { team, agent: extractThenWrite.agent('extractor')!.spec });
const twentyWords =
  'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty.';

async function client(script: MessagesScript, tokenDelayMs = 0): Promise<Anthropic> {
  const double = await startMessagesApiDouble(script, { tokenDelayMs });
  doubles.push(double);
  // The SDK logs a stream it cannot parse at error level; these tests provoke that on purpose.
  return double.client().withOptions({ logLevel: 'off' });
}

function activity(timing: { startToCloseTimeoutMs?: number; heartbeatTimeoutMs?: number } = {}) {
  return new MockActivityEnvironment(
    {
      attempt: 1,
      activityId: '3',
      workflowExecution: { workflowId: 'stream-run', runId: 'run-1' },
      startToCloseTimeoutMs: timing.startToCloseTimeoutMs ?? 5_000,
      heartbeatTimeoutMs: timing.heartbeatTimeoutMs ?? 3_000,
    },
    { logger: new DefaultLogger('ERROR') },
  );
}

type Resolved = typeof drafter;
/** The message one activity attempt gets from askModel. */
function attempt(env: MockActivityEnvironment, call: () => Promise<Anthropic.Message>): Promise<Anthropic.Message> {
  return env.run(call);
}
function ask(anthropic: Anthropic, who: Resolved, onText?: (delta: string) => void, answers?: AnswerJournal) {
  const request = {
    team,
    agent: who.agent,
    messages: [{ role: 'user' as const, content: 'go' }],
    format: who.format,
    turn: 1,
    ...(onText ? { onText } : {}),
  };
  return () => askModel(anthropic, request, answers);
}

async function failure(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => expect.unreachable('the call should have failed'),
    (error: unknown) => error,
  );
}

describe('askModel with onText', () => {
  it.each([
    ['a text agent', drafter, { text: twentyWords }],
    ['an agent with an output schema', extractor, { json: { answer: 1234567890.125 } }],
  ] as [string, Resolved, ScriptedReply][])(
    'gives %s the same message as without it, and its text as it arrives',
    async (_, who, reply) => {
      const plain = await attempt(activity(), ask(await client({ '*': [reply] }), who));
      const deltas: string[] = [];
      const streamed = await attempt(
        activity(),
        ask(await client({ '*': [reply] }), who, (d) => deltas.push(d)),
      );
      expect(streamed).toEqual(plain);
      expect(Object.keys(streamed)).not.toContain('parsed_output');
      expect(deltas.length).toBeGreaterThan(1);
      const text = plain.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
      expect(deltas.join('')).toBe(text);
    },
  );

  it('calls onText as the words arrive, heartbeating meanwhile', async () => {
    const anthropic = await client({ '*': [{ text: twentyWords }] }, 40);
    const env = activity({ heartbeatTimeoutMs: 600 }); // a heartbeat every 200 ms
    let heartbeats = 0;
    env.on('heartbeat', () => (heartbeats += 1));
    const started = Date.now();
    const arrivals: number[] = [];
    await env.run(ask(anthropic, drafter, () => arrivals.push(Date.now() - started)));
    expect(arrivals.length).toBeGreaterThanOrEqual(20);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(19 * 40 * 0.8);
    expect(heartbeats).toBeGreaterThanOrEqual(2);
  });

  it('returns a journaled answer without calling the model or onText', async () => {
    const answer = await attempt(activity(), ask(await client({ '*': [{ text: 'paid for' }] }), drafter));
    const journal: AnswerJournal = { get: () => Promise.resolve(answer), put: () => Promise.resolve() };
    const anthropic = await client({ '*': [{ text: 'paid again' }] });
    const deltas: string[] = [];
    expect(
      await attempt(
        activity(),
        ask(anthropic, drafter, (d) => deltas.push(d), journal),
      ),
    ).toEqual(answer);
    expect(deltas).toEqual([]);
    expect(doubles.at(-1)!.scripted.callsTo()).toBe(0);
  });

  it.each([
    [
      'a rate limit, with the server’s retry delay',
      { error: { status: 429, headers: { 'retry-after': '7' } } },
      FailureType.ModelRateLimited,
    ],
    ['a request refused as invalid', { error: { status: 400 } }, FailureType.ModelBadRequest],
    ['a body that is not valid JSON', { malformedBody: true }, FailureType.ModelInvalidResponse],
    ['no answer in time', { hang: true }, FailureType.ModelTimeout],
  ] as [string, ScriptedReply, string][])('fails on %s as without onText', async (_, reply, type) => {
    const errors: unknown[] = [];
    for (const onText of [undefined, () => {}]) {
      const anthropic = await client({ '*': [reply] });
      errors.push(await failure(activity({ startToCloseTimeoutMs: 400 }).run(ask(anthropic, drafter, onText))));
    }
    const [plain, streamed] = errors as [ApplicationFailure, ApplicationFailure];
    expect(plain).toBeInstanceOf(ApplicationFailure);
    expect(streamed).toBeInstanceOf(ApplicationFailure);
    expect(streamed.type).toBe(type);
    expect(plain.type).toBe(type);
    expect(streamed.nonRetryable).toBe(plain.nonRetryable);
    expect(streamed.nextRetryDelay).toEqual(plain.nextRetryDelay);
    expect(streamed.details).toEqual(plain.details);
  });

  it('times out a stream that is still going at the deadline, as a call that did not answer in time', async () => {
    const anthropic = await client({ '*': [{ text: twentyWords }] }, 100); // 2 s of deltas
    const deltas: string[] = [];
    const started = Date.now();
    const error = await failure(
      activity({ startToCloseTimeoutMs: 500 }).run(ask(anthropic, drafter, (d) => deltas.push(d))),
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe(FailureType.ModelTimeout);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.length).toBeLessThan(20);
  });

  it("stops the stream when the activity is cancelled, with the SDK's abort error as without onText", async () => {
    const anthropic = await client({ '*': [{ text: twentyWords }] }, 50);
    const env = activity();
    const deltas: string[] = [];
    const error = await failure(
      env.run(
        ask(anthropic, drafter, (d) => {
          deltas.push(d);
          if (deltas.length === 3) env.cancel();
        }),
      ),
    );
    expect(error).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(deltas).toHaveLength(3);
  });
});

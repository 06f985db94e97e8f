import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createActivities,
  createFilePayloadStore,
  type AgentCallInput,
  type AgentCallResult,
  type MessagesScript,
} from '../../src/activities/index.js';
import { agentFingerprint } from '../../src/protocol/index.js';
import { FailureType } from '../../src/team/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { extractThenWrite, registry, reviewLoop } from '../support/teams.js';

// The agent activity against the Messages API double, through the real SDK over HTTP.
let double: MessagesApiDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const extractor = extractThenWrite.agent('extractor')!.spec;
const drafter = extractThenWrite.agent('drafter')!.spec;

async function call(script: MessagesScript, input: Partial<AgentCallInput> = {}, startToCloseTimeoutMs = 2_000) {
  double = await startMessagesApiDouble(script);
  const { runAgent } = createActivities({
    anthropic: double.client(),
    teams: registry,
    payloads: createFilePayloadStore(mkdtempSync(join(tmpdir(), 'troupe-payloads-'))),
  });
  // Expected failures would each be logged as a warning: keep the output to real errors.
  const env = new MockActivityEnvironment(
    { startToCloseTimeoutMs, heartbeatTimeoutMs: 900 },
    { logger: new DefaultLogger('ERROR') },
  );
  const result: Promise<AgentCallResult> = env.run(runAgent, {
    team: extractThenWrite.name,
    agent: extractor,
    prompt: 'six times seven?',
    ...input,
  });
  return { env, result };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('runAgent', () => {
  it('returns validated structured output and the usage figures, including cache reads and writes', async () => {
    const first = await call({ extractor: [{ json: { answer: 42 }, usage: { inputTokens: 12, outputTokens: 5 } }] });
    const result = await first.result;
    expect(result.output).toEqual({ answer: 42 });
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 5, cacheReadTokens: 0 });
    expect(result.usage.cacheWriteTokens).toBeGreaterThan(0);

    const request = double!.scripted.requests[0]!;
    expect(request.agent).toBe('extractor');
    expect(request.body.model).toBe(extractor.model);
    expect(request.body.system).toEqual([
      { type: 'text', text: extractor.system, cache_control: { type: 'ephemeral' } },
    ]);
    expect(request.body.output_config?.format?.type).toBe('json_schema');
    expect(JSON.stringify(request.body.output_config?.format?.schema)).toContain('answer');
    // Temporal owns retries: the SDK must not retry on its own.
    expect(request.headers['x-stainless-retry-count']).toBe('0');
  });

  it('sends text agents no output format', async () => {
    const { result } = await call({ drafter: [{ text: 'hello' }] }, { agent: drafter });
    expect((await result).output).toBe('hello');
    expect(double!.scripted.requests[0]!.body.output_config).toBeUndefined();
  });

  it('makes a 429 retryable, with retry-after as the next retry delay', async () => {
    const { result } = await call({ extractor: [{ error: { status: 429, headers: { 'retry-after': '7' } } }] });
    const failure = await failureOf(result);
    expect(failure.type).toBe(FailureType.ModelRateLimited);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7_000);
  });

  it('prefers retry-after-ms', async () => {
    const { result } = await call({
      extractor: [{ error: { status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '9' } } }],
    });
    expect((await failureOf(result)).nextRetryDelay).toBe(1_500);
  });

  it.each([
    [529, FailureType.ModelOverloaded],
    [500, FailureType.ModelServerError],
    [408, FailureType.ModelRequestTimeout],
    [409, FailureType.ModelConflict],
  ])('makes a %i retryable as %s', async (status, type) => {
    const { result } = await call({ extractor: [{ error: { status } }] });
    const failure = await failureOf(result);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(false);
  });

  it.each([
    [400, FailureType.ModelBadRequest],
    [401, FailureType.ModelAuthentication],
    [403, FailureType.ModelPermissionDenied],
    [404, FailureType.ModelNotFound],
    [413, FailureType.ModelRequestTooLarge],
  ])('makes a %i non-retryable as %s', async (status, type) => {
    const { result } = await call({ extractor: [{ error: { status } }] });
    const failure = await failureOf(result);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(true);
  });

  it('reports output that fails the schema as InvalidStructuredOutput, with the text to repair', async () => {
    const { result } = await call({ extractor: [{ text: '{"answer":"forty-two"}' }] });
    const failure = await failureOf(result);
    expect(failure.type).toBe(FailureType.InvalidStructuredOutput);
    expect(failure.details?.[0]).toMatchObject({ text: '{"answer":"forty-two"}' });
  });

  it('checks the decision the step reads, and says so in the result', async () => {
    const reviewer = reviewLoop.agent('reviewer')!.spec;
    const { result } = await call(
      { reviewer: [{ json: { approved: true, feedback: 'fine' } }] },
      { team: reviewLoop.name, agent: reviewer, reads: 'verdict' },
    );
    expect(await result).toMatchObject({ output: { approved: true, feedback: 'fine' }, reads: 'verdict' });
  });

  it('refuses an answer that fits the agent schema but not the decision the step reads, as InvalidDecision with the text to repair', async () => {
    const { result } = await call({ extractor: [{ json: { answer: 42 } }] }, { reads: 'verdict' });
    const failure = await failureOf(result);
    expect(failure.type).toBe(FailureType.InvalidDecision);
    expect(failure.nonRetryable).toBe(true);
    const details = failure.details?.[0] as { text: string; problem: string; usage: unknown };
    expect(details.text).toBe('{"answer":42}');
    expect(details.problem).toContain('the answer is not the shape this step reads');
    expect(details.problem).toContain('approved');
    expect(details.usage).toMatchObject({ outputTokens: expect.any(Number) as number });
  });

  it('sends the repair turn when asked to repair', async () => {
    const { result } = await call(
      { extractor: [{ json: { answer: 42 } }] },
      { repair: { previousText: 'nope', problem: 'answer: expected number' } },
    );
    await result;
    const messages = double!.scripted.requests[0]!.body.messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(messages[2])).toContain('answer: expected number');
  });

  it('times out a hanging reply below the start-to-close timeout, as a retryable ModelTimeout', async () => {
    const started = Date.now();
    const { result } = await call({ extractor: [{ hang: true }] }, {}, 1_000);
    const failure = await failureOf(result);
    expect(failure.type).toBe(FailureType.ModelTimeout);
    expect(failure.nonRetryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('heartbeats while it waits for a slow reply', async () => {
    const { env, result } = await call({ extractor: [{ json: { answer: 1 }, delayMs: 1_200 }] });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    await result;
    expect(beats.length).toBeGreaterThanOrEqual(2);
  });

  it('aborts the HTTP request when the activity is cancelled', async () => {
    const { env, result } = await call({ extractor: [{ hang: true }] }, {}, 30_000);
    setTimeout(() => env.cancel(), 200);
    const error = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect((error as Error).name).not.toBe('ApplicationFailure');
  });

  it('treats a malformed response body as a retryable failure of its own type, naming the agent', async () => {
    const { result } = await call({ extractor: [{ malformedBody: true }] });
    const failure = await failureOf(result);
    expect(failure.type).toBe(FailureType.ModelInvalidResponse);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('agent "extractor": the model API answered with a body that is not valid JSON');
  });

  it('refuses an agent the worker does not know, and one the worker defines differently, naming it', async () => {
    const unknown = await failureOf(
      (await call({ extractor: [{ json: { answer: 1 } }] }, { team: 'no-such-team' })).result,
    );
    expect(unknown.type).toBe(FailureType.UnknownAgent);
    expect(unknown.message).toContain('This worker does not know agent "extractor" of team "no-such-team"');
    await double?.close();
    const changed = await failureOf(
      (
        await call(
          { extractor: [{ json: { answer: 1 } }] },
          { agent: { ...extractor, system: 'A newer prompt.', model: 'claude-other' } },
        )
      ).result,
    );
    expect(changed.type).toBe(FailureType.AgentMismatch);
    expect(changed.nonRetryable).toBe(true);
    expect(changed.message).toContain(
      'Agent "extractor" of team "extract-then-write" differs between the client and this worker (system prompt, model)',
    );
    expect(double!.scripted.callsTo()).toBe(0);
  });

  it('takes an agent by fingerprint, as workflows send it: the worker spec, checked against the run spec', async () => {
    const reference = (spec: typeof extractor, model = spec.model) => ({
      name: spec.name,
      role: spec.role,
      model,
      fingerprint: agentFingerprint(spec),
    });
    const same = await call({ extractor: [{ json: { answer: 7 } }] }, { agent: reference(extractor) });
    expect((await same.result).output).toEqual({ answer: 7 });
    const request = double!.scripted.requests[0]!;
    expect(request.body.system).toEqual([
      { type: 'text', text: extractor.system, cache_control: { type: 'ephemeral' } },
    ]);
    expect(request.body.max_tokens).toBe(extractor.maxTokens);
    await double?.close();

    // A call may ask for the agent's cheaper model (the run's budget ran low), not for any other.
    const otherModel = await failureOf(
      (await call({ extractor: [{ json: { answer: 8 } }] }, { agent: reference(extractor, 'claude-small') })).result,
    );
    expect(otherModel.type).toBe(FailureType.AgentMismatch);
    expect(otherModel.message).toContain('(model)');
    await double?.close();

    const changed = await failureOf(
      (
        await call(
          { extractor: [{ json: { answer: 1 } }] },
          { agent: reference({ ...extractor, system: 'A newer prompt.', maxTokens: 99 }) },
        )
      ).result,
    );
    expect(changed.type).toBe(FailureType.AgentMismatch);
    expect(changed.nonRetryable).toBe(true);
    expect(changed.message).toContain('differs between the client and this worker (system prompt, maxTokens)');
    await double?.close();
    // A newer client's format: retried, so that a newer worker takes the call.
    const unreadable = await failureOf(
      (
        await call(
          { extractor: [{ json: { answer: 1 } }] },
          { agent: { ...reference(extractor), fingerprint: 'v9.abc' } },
        )
      ).result,
    );
    expect(unreadable.type).toBe(FailureType.AgentMismatch);
    expect(unreadable.nonRetryable).toBe(false);
    expect(unreadable.message).toContain(
      'comes with a fingerprint this worker cannot read (v9.abc; it reads v1): upgrade this worker',
    );
    await double?.close();
    const unknown = await failureOf(
      (await call({ extractor: [{ json: { answer: 1 } }] }, { agent: { ...reference(extractor), name: 'nobody' } }))
        .result,
    );
    expect(unknown.type).toBe(FailureType.UnknownAgent);
    expect(double!.scripted.callsTo()).toBe(0);
  });
});

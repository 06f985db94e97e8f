import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { FailureType } from '../../src/team/index.js';
import { runTeam } from '../support/run-team.js';
import { useTemporal } from '../support/temporal.js';

// Worker + real SDK + Messages API double on the real Temporal CLI dev server, in real time.
const temporal = useTemporal('dev-server');

describe('on the dev server', () => {
  it('retries a 429 only after its retry-after delay', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'with-fallback', 'x', {
      primary: [{ error: { status: 429, headers: { 'retry-after': '2' } } }, { text: 'done' }],
    });
    expect(outcome.ok && outcome.result.output).toBe('done');
    const [first, second] = outcome.double.scripted.requests.filter((r) => r.agent === 'primary');
    // The agent's own retry interval is 100 ms; the server's retry-after (2 s) must win.
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(2_000);
  });

  it('rides out a rate-limit burst with the default retry policy: no attempt count, a total time bound', async () => {
    const burst = Array.from({ length: 7 }, () => ({ error: { status: 429, headers: { 'retry-after': '1' } } }));
    const outcome = await runTeam(temporal.env, temporal.bundle, 'default-retries', 'x', {
      patient: [...burst, { text: 'after the burst' }],
    });
    expect(outcome.ok && outcome.result.output).toBe('after the burst');
    const calls = outcome.double.scripted.requests;
    expect(calls).toHaveLength(8);
    expect(calls.at(-1)!.receivedAt - calls[0]!.receivedAt).toBeGreaterThanOrEqual(6_000);
  });

  it('gives up on endless rate limits once the total timeout passes', async () => {
    const startedAt = Date.now();
    const outcome = await runTeam(temporal.env, temporal.bundle, 'bounded-retries', 'x', {
      hasty: [{ error: { status: 429, headers: { 'retry-after': '1' } } }],
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure.type).toBe(FailureType.ModelRateLimited);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(outcome.double.scripted.callsTo('hasty')).toBeGreaterThanOrEqual(3);
  });

  it('retries a 529 overload and completes', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'with-fallback', 'x', {
      primary: [{ error: { status: 529 } }, { error: { status: 529 } }, { text: 'after overload' }],
    });
    expect(outcome.ok && outcome.result.output).toBe('after overload');
    expect(outcome.double.scripted.callsTo('primary')).toBe(3);
    expect(outcome.double.scripted.callsTo('backup')).toBe(0);
  });

  it('repairs malformed structured output', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'extract-then-write', 'x', {
      extractor: [{ text: '{"answer": 4' }, { json: { answer: 4 } }],
      drafter: [{ text: 'four' }],
    });
    expect(outcome.ok && outcome.result.transcript[1]?.content).toEqual({ answer: 4 });
    expect(outcome.double.scripted.callsTo('extractor')).toBe(2);
  });

  it('fails malformed structured output with its own type once repairs run out', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'extract-then-write', 'x', {
      extractor: [{ text: '{"answer": 4' }],
    });
    expect(!outcome.ok && outcome.failure.type).toBe(FailureType.InvalidStructuredOutput);
    expect(outcome.double.scripted.callsTo('drafter')).toBe(0);
  });

  it('makes every agent call recognisable in the history by agent name and input summary', async () => {
    const outcome = await runTeam(temporal.env, temporal.bundle, 'review-loop', 'Write a haiku about retries.', {
      drafter: [{ text: 'draft 1' }, { text: 'draft 2' }],
      reviewer: [{ json: { approved: false, feedback: 'tighter' } }, { json: { approved: true, feedback: 'ok' } }],
    });
    expect(outcome.ok).toBe(true);
    const handle = temporal.env.client.workflow.getHandle(outcome.workflowId);
    const history = await handle.fetchHistory();
    const summaries = (history.events ?? [])
      .filter((event) => event.activityTaskScheduledEventAttributes)
      .map((event) => defaultPayloadConverter.fromPayload<string>(event.userMetadata!.summary!));
    expect(summaries).toHaveLength(4);
    expect(summaries).toEqual([
      expect.stringMatching(/^drafter \(writer, claude-[\w-]+\): task: Write a haiku about retries\.$/),
      expect.stringMatching(/^reviewer \(critic, claude-[\w-]+\): review drafter's output: draft 1$/),
      expect.stringMatching(/^drafter \(writer, claude-[\w-]+\): revise after reviewer: tighter$/),
      expect.stringMatching(/^reviewer \(critic, claude-[\w-]+\): review drafter's output: draft 2$/),
    ]);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe('review-loop (pipeline): Write a haiku about retries.');
    expect(await description.staticDetails()).toContain('- **reviewer**: critic, claude-');
  });
});

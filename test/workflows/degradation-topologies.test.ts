import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/client/failure.js';
import type { RunResult } from '../../src/client/index.js';
import { FailureType } from '../../src/team/index.js';
import { startedRuns, type StartedRun } from '../support/budget-runs.js';
import { useTemporal } from '../support/temporal.js';

// Graceful degradation beyond pipelines (issue 12): an optional member that fails for good is skipped in every topology.
const temporal = useTemporal('time-skipping');
const { start } = startedRuns(temporal);

const badRequest = { error: { status: 400, message: 'bad request' } };
const argue = (position: string) => ({ json: { position, argument: `because ${position}` } });

/** What the double received for an agent's n-th call (0-based): its messages as text. */
function prompt(s: StartedRun, agent: string, n = 0): string {
  return JSON.stringify(s.double.scripted.requests.filter((q) => q.agent === agent)[n]?.body.messages ?? null);
}

function expectDegraded(r: RunResult, member: string): void {
  expect(r.partial).toBe(false);
  expect(r.flags).toEqual(['degraded']);
  expect(r.degraded).toHaveLength(1);
  expect(r.degraded?.[0]?.member).toBe(member);
  expect(r.degraded?.[0]?.reason).toContain('bad request');
  expect(r.warnings.some((w) => w.startsWith(`optional step ${member} skipped`))).toBe(true);
}

async function failureOf(s: StartedRun) {
  return s.run.result().then(
    () => undefined,
    (error: unknown) => describeFailure(error),
  );
}

describe('optional members in every topology', () => {
  it('supervisor: the round reports the skipped worker to the supervisor, which finishes without it', async () => {
    const s = await start('optional-worker', {
      boss: [
        {
          json: {
            done: false,
            answer: 'split it',
            assignments: [
              { worker: 'alpha', task: 'part A' },
              { worker: 'beta', task: 'part B' },
            ],
          },
        },
        { json: { done: true, answer: 'A alone', assignments: [] } },
      ],
      alpha: [{ text: 'A done' }],
      beta: [badRequest],
    });
    const r = await s.run.result();
    expect(r.output).toBe('A alone');
    expectDegraded(r, 'beta');
    expect(s.double.scripted.callsTo('boss')).toBe(2);
    expect(s.double.scripted.callsTo('alpha')).toBe(1);
    expect(s.double.scripted.callsTo('beta')).toBe(1); // a 400 is final: not retried
    const second = prompt(s, 'boss', 1);
    expect(second).toContain('Result from alpha for \\"part A\\"');
    expect(second).toContain('no result: beta failed for good and was skipped');
    expect(r.transcript.filter((e) => e.kind === 'output').map((e) => e.from)).toEqual(['alpha']);
  });

  it('router: a chosen optional specialist that fails is skipped, and the router chooses again among the routes left', async () => {
    const s = await start('optional-route', {
      triage: [{ json: { route: 'alpha', reason: 'numbers' } }, { json: { route: 'beta', reason: 'the one left' } }],
      alpha: [badRequest],
      beta: [{ text: 'handled by beta' }],
    });
    const r = await s.run.result();
    expect(r.output).toBe('handled by beta');
    expectDegraded(r, 'alpha');
    expect(s.double.scripted.callsTo('triage')).toBe(2);
    expect(s.double.scripted.callsTo('alpha')).toBe(1);
    expect(s.double.scripted.callsTo('beta')).toBe(1);
    const again = prompt(s, 'triage', 1);
    expect(again).toContain('alpha could not take the task');
    expect(again).not.toContain('- alpha:');
    expect(r.transcript.filter((e) => e.kind === 'route').map((e) => (e.content as { route: string }).route)).toEqual([
      'alpha',
      'beta',
    ]);
  });

  it('router: with every route failed, the run fails with NoMemberLeft', async () => {
    const s = await start('optional-route', {
      triage: [{ json: { route: 'alpha', reason: 'first' } }, { json: { route: 'beta', reason: 'second' } }],
      alpha: [badRequest],
      beta: [badRequest],
    });
    const failure = await failureOf(s);
    expect(failure?.type).toBe(FailureType.NoMemberLeft);
    expect(failure?.message).toContain('every route failed for good');
    expect(s.double.scripted.callsTo('triage')).toBe(2);
    expect(s.double.scripted.callsTo()).toBe(4);
  });

  it('router: the router itself is never skipped, even marked optional: its failure fails the run', async () => {
    const s = await start('optional-route', { triage: [badRequest] });
    const failure = await failureOf(s);
    expect(failure?.type).toBe(FailureType.ModelBadRequest);
    expect(s.double.scripted.callsTo()).toBe(1);
  });

  it('debate: a debater that fails sits out the rest; the judge sees the others', async () => {
    const s = await start('optional-debater', {
      pro: [argue('yes')],
      con: [argue('no')],
      third: [badRequest],
      judge: [{ json: { decision: 'yes', rationale: 'stronger' } }],
    });
    const r = await s.run.result();
    expect(r.output).toMatchObject({
      decision: 'yes',
      rounds: 2,
      positions: [
        { debater: 'pro', position: 'yes' },
        { debater: 'con', position: 'no' },
      ],
    });
    expectDegraded(r, 'third');
    expect(s.double.scripted.callsTo('pro')).toBe(2);
    expect(s.double.scripted.callsTo('con')).toBe(2);
    expect(s.double.scripted.callsTo('third')).toBe(1); // not asked again in round 2
    expect(s.double.scripted.callsTo('judge')).toBe(1);
    const judged = prompt(s, 'judge');
    expect(judged).toContain("pro's final argument");
    expect(judged).toContain("con's final argument");
    expect(judged).not.toContain('third');
  });

  it('debate: with every debater failed, the run fails with NoMemberLeft', async () => {
    const s = await start('optional-debaters', { pro: [badRequest], con: [badRequest] });
    const failure = await failureOf(s);
    expect(failure?.type).toBe(FailureType.NoMemberLeft);
    expect(failure?.message).toMatch(
      /^every debater failed for good and was skipped \(pro: .*bad request.*; con: .*bad request.*\): no one is left to argue$/,
    );
    expect(s.double.scripted.callsTo()).toBe(2);
  });

  it('debate: with one debater left the arguing ends, and the vote counts the one left', async () => {
    const s = await start('optional-debaters', { pro: [argue('yes')], con: [badRequest] });
    const r = await s.run.result();
    expect(r.output).toMatchObject({ decision: 'yes', votes: 1, of: 1, rounds: 1, consensus: false });
    expectDegraded(r, 'con');
    expect(r.warnings).toContain('the debate ended after round 1: only pro is left to argue');
    expect(s.double.scripted.callsTo('pro')).toBe(1);
    expect(s.double.scripted.callsTo('con')).toBe(1);
  });

  it('swarm: an agent that fails sits out the rest; the others work the board', async () => {
    const move = (complete: boolean) => ({
      json: { claim: 't1', result: complete ? 'finished' : 'started', complete, newTasks: [], promising: [] },
    });
    const s = await start('optional-ant', { ant1: [move(false), move(true)], ant2: [badRequest] });
    const r = await s.run.result();
    expect(r.output).toMatchObject({
      rounds: 2,
      completed: [{ id: 't1', results: ['started', 'finished'] }],
      open: [],
    });
    expectDegraded(r, 'ant2');
    expect(s.double.scripted.callsTo('ant1')).toBe(2);
    expect(s.double.scripted.callsTo('ant2')).toBe(1); // not asked again in round 2
    expect(r.state).toMatchObject({ sittingOut: [{ agent: 'ant2' }] });
  });

  it('swarm: with every agent failed, the run fails with NoMemberLeft', async () => {
    const s = await start('optional-ant', { ant1: [badRequest], ant2: [badRequest] });
    const failure = await failureOf(s);
    expect(failure?.type).toBe(FailureType.NoMemberLeft);
    expect(failure?.message).toMatch(
      /^every swarm agent failed for good and was skipped \(ant1: .*; ant2: .*\): no one is left to work the board$/,
    );
    expect(s.double.scripted.callsTo()).toBe(2);
  });

  it('handoff: a peer that fails is skipped; the task goes back to the agent that handed it over', async () => {
    const s = await start('optional-desk', {
      front: [
        { json: { handoffTo: 'billing', answer: 'a refund question' } },
        { json: { handoffTo: '', answer: 'front answered' } },
      ],
      billing: [badRequest],
    });
    const r = await s.run.result();
    expect(r.output).toBe('front answered');
    expectDegraded(r, 'billing');
    expect(s.double.scripted.callsTo('front')).toBe(2);
    expect(s.double.scripted.callsTo('billing')).toBe(1);
    expect(s.double.scripted.callsTo('tech')).toBe(0);
    const back = prompt(s, 'front', 1);
    expect(back).toContain('billing could not take the task');
    expect(back).not.toContain('- billing:');
    expect(back).toContain('- tech:');
  });

  it('handoff: an optional entry agent is not skipped: with no one to hand back to, its failure fails the run', async () => {
    const s = await start('optional-desk', { front: [badRequest] });
    const failure = await failureOf(s);
    expect(failure?.type).toBe(FailureType.ModelBadRequest);
    expect(s.double.scripted.callsTo()).toBe(1);
  });
});

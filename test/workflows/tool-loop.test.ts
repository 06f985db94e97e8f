import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readRunHistory } from '../../src/client/index.js';
import { historyAsMermaid, historyAsText } from '../../src/cli/render-history.js';
import { describeFailure } from '../../src/client/failure.js';
import { FailureType } from '../../src/team/index.js';
import { startTestEnvironment, type TroupeTestEnvironment } from '../../src/testing/index.js';
import type { MessagesScript } from '../../src/activities/index.js';
import { registry, toolCalls } from '../support/teams.js';
import { bundleWorkflows } from '../support/temporal.js';

// The durable tool loop on the time-skipping server: each model turn and each tool call an activity.
let bundle: Awaited<ReturnType<typeof bundleWorkflows>>;
let t: TroupeTestEnvironment | undefined;
beforeAll(async () => {
  bundle = await bundleWorkflows();
});
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(async () => {
  await t?.close();
});

async function environment(script: MessagesScript): Promise<TroupeTestEnvironment> {
  toolCalls.length = 0;
  t = await startTestEnvironment({ teams: registry, script, workflowBundle: bundle });
  return t;
}

/** The tool_result blocks `agent` was sent in its `n`th request (0-based). */
function toolResultsSent(
  env: TroupeTestEnvironment,
  n: number,
  agent = 'researcher',
): { tool_use_id: string; content: string; is_error?: boolean }[] {
  const messages = env.double.scripted.requests.filter((r) => r.agent === agent)[n]?.body.messages as MessageParam[];
  const last = messages.at(-1);
  return Array.isArray(last?.content) ? (last.content.filter((b) => b.type === 'tool_result') as never) : [];
}

const answer = (text: string) => ({ json: { answer: text } });

describe('the tool loop', () => {
  it('runs turns and tool calls, several calls of one turn in parallel, and hands results back in order', async () => {
    const env = await environment({
      researcher: [
        {
          toolUse: [
            { name: 'search', input: { query: 'durable' } },
            { name: 'search', input: { query: 'agents' } },
          ],
        },
        { toolUse: [{ name: 'search', input: { query: 'replay' } }] },
        answer('found three things'),
      ],
    });
    const run = await env.start('tool-team', 'Find out.');
    const result = await run.result();
    expect(result.output).toEqual({ answer: 'found three things' });
    expect(toolCalls.map((c) => c.input)).toEqual(
      expect.arrayContaining([{ query: 'durable' }, { query: 'agents' }, { query: 'replay' }]),
    );
    expect(env.double.scripted.callsTo('researcher')).toBe(3);
    expect(toolResultsSent(env, 1).map((b) => b.content)).toEqual(['results for durable', 'results for agents']);
    expect(toolResultsSent(env, 2).map((b) => b.content)).toEqual(['results for replay']);
    // The whole conversation reached the model, though history carried only its key.
    expect((env.double.scripted.requests[2]?.body.messages as MessageParam[]).length).toBe(5);
    expect(result.transcript.filter((e) => e.kind === 'tool').map((e) => `${e.from}->${e.to}`)).toEqual([
      'researcher->tool:search',
      'researcher->tool:search',
      'researcher->tool:search',
    ]);
    // Every model turn counts as an agent call.
    expect(result.agentCalls).toBe(3);

    const history = await readRunHistory(run.workflowId, await run.handle.fetchHistory());
    const activities = (await run.handle.fetchHistory()).events
      ?.filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(activities).toEqual(['runModelTurn', 'runTool', 'runTool', 'runModelTurn', 'runTool', 'runModelTurn']);
    expect(history.agentCalls).toBe(3);
    const tools = history.steps.filter((step) => step.kind === 'tool');
    expect(tools.map((step) => step.kind === 'tool' && `${step.agent}>${step.tool}:${step.result}`)).toEqual([
      'researcher>search:results for durable',
      'researcher>search:results for agents',
      'researcher>search:results for replay',
    ]);
    const text = historyAsText(history);
    expect(text).toContain('researcher → search(');
    expect(text).toContain('1 attempt(s)');
    expect(historyAsMermaid(history)).toContain('tool_search-->>researcher: results for replay');
  });

  it('turns a failing tool, bad input and an unknown tool into error results the model recovers from', async () => {
    const env = await environment({
      researcher: [
        {
          toolUse: [
            { name: 'flaky', input: {} },
            { name: 'search', input: { wrong: 1 } },
            { name: 'teleport', input: {} },
          ],
        },
        answer('recovered without them'),
      ],
    });
    const result = await (await env.start('tool-team', 'Try.')).result();
    expect(result.output).toEqual({ answer: 'recovered without them' });
    const [flaky, invalid, unknown] = toolResultsSent(env, 1);
    expect(flaky).toMatchObject({ is_error: true });
    expect(flaky?.content).toContain('tool "flaky" failed after its retries: the service is down');
    expect(toolCalls.filter((c) => c.tool === 'flaky')).toHaveLength(2); // its own retry policy: 2 attempts
    expect(invalid).toMatchObject({ is_error: true });
    expect(invalid?.content).toContain('invalid input for tool "search"');
    expect(unknown?.content).toContain('there is no tool "teleport": use one of search, flaky, publish, fetch_page');
  });

  it('fails with MaxTurnsExceeded when the agent keeps calling tools past maxTurns', async () => {
    const env = await environment({ researcher: [{ toolUse: [{ name: 'search', input: { query: 'more' } }] }] });
    const failure = await (await env.start('short-loop', 'Loop.')).result().then(
      () => undefined,
      (error: unknown) => describeFailure(error),
    );
    expect(failure?.type).toBe(FailureType.MaxTurnsExceeded);
    expect(failure?.message).toContain('did not finish within maxTurns (2) model turns');
    expect(env.double.scripted.callsTo('researcher')).toBe(2);
  });

  it("waits three days for a person's approval of a tool call; a refusal goes back to the model, and the tool never runs", async () => {
    const env = await environment({
      researcher: [{ toolUse: [{ name: 'publish', input: { text: 'draft' } }] }, answer('kept it private')],
    });
    const run = await env.start('tool-team', 'Publish it.');
    const awaiting = await env.waitForApproval(run, 'tool-publish');
    expect(awaiting).toMatchObject({ approvers: ['ana'] });
    // What troupe pending shows: the agent, the tool and its input.
    expect(awaiting.subject).toContain('researcher → publish');
    expect(awaiting.subject).toContain('"text": "draft"');
    await env.sleep('3 days');
    await run.decide({ by: 'ana', decision: 'reject', comment: 'not before the launch' });
    const result = await run.result();
    expect(result.output).toEqual({ answer: 'kept it private' });
    expect(toolCalls.filter((c) => c.tool === 'publish')).toHaveLength(0);
    const [refused] = toolResultsSent(env, 1);
    expect(refused).toMatchObject({ is_error: true });
    expect(refused?.content).toContain('ana refused this call of "publish": not before the launch');
    const approval = result.transcript.find((e) => e.kind === 'approval');
    expect(Date.parse(approval!.at) - Date.parse(result.transcript[0]!.at)).toBeGreaterThanOrEqual(3 * 86_400_000);
  });

  it("passes Anthropic's server tools to the API and counts their use in the ledger and the history", async () => {
    const env = await environment({
      surfer: [
        {
          serverToolUse: [
            { name: 'web_search', input: { query: 'temporal' } },
            { name: 'web_search', input: { query: 'durable' } },
          ],
          text: 'two searches later',
        },
      ],
    });
    const run = await env.start('web-team', 'Search.');
    const result = await run.result();
    expect(result.output).toBe('two searches later');
    expect(env.double.scripted.requests[0]?.body.tools).toEqual([
      { type: 'web_search_20250305', name: 'web_search', max_uses: 2 },
      { type: 'code_execution_20250825', name: 'code_execution' },
    ]);
    expect(result.usage.webSearchRequests).toBe(2);
    const history = await readRunHistory(run.workflowId, await run.handle.fetchHistory());
    expect(history.usage.webSearchRequests).toBe(2);
    expect(historyAsText(history)).toContain('2 web search(es)');
  });

  it('delegates sub-tasks through tool calls to an agent and to a sub-team (a child workflow), in parallel', async () => {
    // Long enough that a loaded 2-core machine starts the second before the first answers, if they run at once.
    const ANSWER_MS = 1_200; // under the agents' 2 s timeout
    const env = await environment({
      lead: [
        {
          toolUse: [
            { name: 'delegate_alpha', input: { task: 'check A' } },
            { name: 'delegate_leaf', input: { task: 'check B' } },
          ],
        },
        { text: 'A and B are both fine' },
      ],
      alpha: [{ text: 'A is fine', delayMs: ANSWER_MS }],
      gamma: [{ text: 'B is fine', delayMs: ANSWER_MS }],
    });
    const run = await env.start('delegating', 'Check A and B.');
    const result = await run.result();
    expect(result.output).toBe('A and B are both fine');
    expect(toolResultsSent(env, 1, 'lead').map((b) => b.content)).toEqual(['A is fine', 'B is fine']);
    expect(JSON.stringify(env.double.scripted.requests.find((r) => r.agent === 'alpha')?.body.messages)).toContain(
      'check A',
    );
    // lead's two turns, alpha, and gamma inside the sub-team: one ledger for the tree.
    expect(result.agentCalls).toBe(4);
    const events = (await run.handle.fetchHistory()).events ?? [];
    expect(
      events
        .filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
        .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name),
    ).toEqual(['pipeline']);
    // The two delegations overlapped: both started before either answered.
    const [a, b] = ['alpha', 'gamma'].map(
      (agent) => env.double.scripted.requests.find((r) => r.agent === agent)!.receivedAt,
    );
    expect(Math.abs(a! - b!)).toBeLessThan(ANSWER_MS);
  });

  it('tells the model a tool call timed out, naming the timeout, not with an empty message', async () => {
    const env = await environment({
      staller: [{ toolUse: [{ name: 'stall', input: {} }] }, { text: 'it was too slow' }],
    });
    expect((await (await env.start('stalling', 'Try.')).result()).output).toBe('it was too slow');
    const [result] = toolResultsSent(env, 1, 'staller');
    expect(result).toMatchObject({ is_error: true });
    expect(result?.content).toBe('tool "stall" failed after its retries: it timed out (start-to-close)');
  });

  it("keeps a delegating lead within the team's limits: the run stops with a partial result", async () => {
    const env = await environment({
      lead: [
        { toolUse: [{ name: 'delegate_alpha', input: { task: 'x' } }] },
        { toolUse: [{ name: 'delegate_alpha', input: { task: 'y' } }] },
      ],
      alpha: [{ text: 'done' }],
    });
    const result = await (await env.start('delegating-on-budget', 'Go.')).result();
    expect(result).toMatchObject({ partial: true, stoppedBy: 'maxAgentCalls', agentCalls: 2 });
  });
});

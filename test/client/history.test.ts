import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { readRunHistory, type HistoryStep, type RunHistory } from '../../src/client/index.js';
import { historyAsMermaid, historyAsText } from '../../src/cli/render-history.js';

// The audit trail read back from recorded histories (test/histories), as troupe history shows it.
const load = (name: string) =>
  historyFromJSON(JSON.parse(readFileSync(new URL(`../histories/${name}.json`, import.meta.url), 'utf8')));
const children: Record<string, string> = {
  'recorded-launch-plan/research-brief-0.1': 'recorded-launch-plan.child-research-brief',
};
const read = (name: string): Promise<RunHistory> =>
  readRunHistory(name, load(name), (id) => Promise.resolve(children[id] ? load(children[id]) : undefined));
const agents = (run: RunHistory) =>
  run.steps.filter((s): s is Extract<HistoryStep, { kind: 'agent' }> => s.kind === 'agent');

describe('troupe history', () => {
  it('reads each agent call with its model, attempts, duration and tokens', async () => {
    const run = await read('recorded-research-brief');
    expect(run).toMatchObject({ team: 'research-brief', workflowType: 'pipeline' });
    expect(agents(run).map((s) => s.agent)).toEqual(['researcher', 'writer', 'critic', 'writer', 'critic']);
    const [researcher] = agents(run);
    expect(researcher).toMatchObject({ role: 'researcher', model: 'claude-sonnet-5-5', attempts: 1 });
    expect(researcher?.usage?.outputTokens).toBeGreaterThan(0);
    expect(researcher?.durationMs).toBeGreaterThanOrEqual(800); // the scripted reply took 900 ms
    expect(run.steps.at(-1)).toMatchObject({ kind: 'end', status: 'completed' });
    const total = agents(run).reduce((n, s) => n + (s.usage?.outputTokens ?? 0), 0);
    expect(run.usage.outputTokens).toBe(total);
  });

  it('follows a sub-team into its own history and adds up its tokens', async () => {
    const run = await read('recorded-launch-plan');
    const child = run.steps.find((s) => s.kind === 'child');
    expect(child).toMatchObject({ workflowId: 'recorded-launch-plan/research-brief-0.1', workflowType: 'pipeline' });
    const childRun = child?.kind === 'child' ? child.run : undefined;
    expect(childRun && agents(childRun).map((s) => s.agent)).toEqual(['researcher', 'writer', 'critic']);
    expect(run.usage.outputTokens).toBe(
      agents(run).reduce((n, s) => n + (s.usage?.outputTokens ?? 0), 0) + (childRun?.usage.outputTokens ?? 0),
    );
    const text = historyAsText(run);
    expect(text).toContain('sub-team recorded-launch-plan/research-brief-0.1 (pipeline)');
    expect(text).toMatch(/\n {6}\d\d:\d\d:\d\d {2}researcher \(researcher, claude-sonnet-5-5\) {2}1 attempt\(s\)/);
  });

  it('shows approvals: who decided what, by update or signal', async () => {
    const run = await read('recorded-approval');
    const decisions = run.steps.filter((s) => s.kind === 'decision');
    expect(decisions).toMatchObject([
      { via: 'update', decision: { by: 'ana', decision: 'request-changes', comment: 'shorter' } },
      { via: 'signal', decision: { by: 'ana', decision: 'approve' } },
    ]);
    expect(historyAsText(run)).toContain('decision request-changes by ana via update: "shorter"');
  });

  it('draws a Mermaid sequence diagram of the handoffs', async () => {
    const mermaid = historyAsMermaid(await read('recorded-approval'));
    expect(mermaid.split('\n')).toEqual([
      'sequenceDiagram',
      '  participant approve_in_week as approve-in-week',
      '  participant drafter as drafter',
      '  approve_in_week->>drafter: task  Recorded approval',
      '  drafter-->>approve_in_week: the draft (3 tokens)',
      '  actor ana as ana',
      '  ana->>approve_in_week: request-changes via update shorter',
      '  approve_in_week->>drafter: revise after the publish approver  shorter',
      '  drafter-->>approve_in_week: the draft (3 tokens)',
      '  ana->>approve_in_week: approve via signal',
      '  Note over approve_in_week: completed',
    ]);
  });

  it('shows refused decisions from a recorded run: a refused update and an ignored signal', async () => {
    const run = await read('recorded-refused-decisions');
    expect(run.steps.filter((s) => s.kind === 'decision')).toMatchObject([
      {
        via: 'update',
        decision: { by: 'mallory' },
        refused: '"mallory" may not decide gate "publish": its approvers are ana',
      },
      {
        via: 'signal',
        decision: { by: 'eve', decision: 'reject' },
        refused: '"eve" may not decide gate "publish": its approvers are ana',
      },
      { via: 'signal', decision: { by: 'ana', decision: 'approve' }, refused: undefined },
    ]);
    const json = JSON.parse(JSON.stringify(run)) as RunHistory;
    expect(json.steps.filter((s) => s.kind === 'decision' && s.refused).length).toBe(2);
  });

  it('lists every tool call of a recorded tool loop, and the refused one with its approval', async () => {
    const run = await read('recorded-tool-approval');
    const tools = run.steps.filter((s) => s.kind === 'tool');
    expect(tools).toMatchObject([
      {
        agent: 'researcher',
        tool: 'search',
        input: { query: 'launch' },
        isError: false,
        result: 'results for launch',
        attempts: 1,
      },
    ]);
    expect(run.steps.filter((s) => s.kind === 'decision')).toMatchObject([
      { via: 'update', decision: { by: 'ana', decision: 'reject', comment: 'not yet' }, refused: undefined },
    ]);
    const research = await read('recorded-field-research');
    expect(research.steps.flatMap((s) => (s.kind === 'tool' ? [s.tool] : []))).toEqual([
      'search_notes',
      'read_note',
      'read_note',
    ]);
    expect(historyAsText(research)).toMatch(/researcher → read_note\(\{ "id": "retries" \}\) {2}1 attempt\(s\)/);
  });
});

import { describe, expect, it } from 'vitest';
import { startTestEnvironment } from '../../src/testing/index.js';
import { registry } from '../support/teams.js';

// The orchestrator-worker pattern on the dev server, in real time: a lead hands sub-tasks to an
// agent and to a sub-team (a child workflow with its own history) through tool calls, at once.
describe('delegation through tool calls on the dev server', () => {
  it('runs the sub-team as a child workflow in parallel with the agent, and counts the tree in one ledger', async () => {
    const t = await startTestEnvironment({
      teams: registry,
      server: 'dev-server',
      script: {
        lead: [
          {
            toolUse: [
              { name: 'delegate_alpha', input: { task: 'check A' } },
              { name: 'delegate_leaf', input: { task: 'check B' } },
            ],
          },
          { text: 'A and B are fine' },
        ],
        alpha: [{ text: 'A is fine', delayMs: 1_000 }],
        gamma: [{ text: 'B is fine', delayMs: 1_000 }],
      },
    });
    try {
      const run = await t.start('delegating', 'Check A and B.');
      const result = await run.result();
      expect(result.output).toBe('A and B are fine');
      expect(result.agentCalls).toBe(4);
      // Each sub-task's model call takes a second: the second one started before the first answered.
      const [a, b] = ['alpha', 'gamma'].map(
        (agent) => t.double.scripted.requests.find((r) => r.agent === agent)!.receivedAt,
      );
      expect(Math.abs(a! - b!)).toBeLessThan(1_000);
      const child = result.transcript.find((e) => e.from === 'leaf');
      expect(child?.childWorkflowId).toMatch(new RegExp(`^${run.workflowId}/leaf-`));
      const childHistory = await t.env.client.workflow.getHandle(child!.childWorkflowId!).fetchHistory();
      expect(
        childHistory.events?.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runAgent'),
      ).toBe(true);
    } finally {
      await t.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { defineAgent, defineTeam } from '../../src/team/index.js';
import { agentActivityOptions } from '../../src/workflows/runtime/agent-options.js';

const agent = (name: string, taskQueue?: string) =>
  defineAgent({ name, role: name, system: 'Work.', output: 'text', ...(taskQueue ? { taskQueue } : {}) });

describe('task queues of agents', () => {
  it("an agent's own queue wins over its team's; with neither, no queue is set (the workflow's own)", () => {
    const team = defineTeam({
      name: 'weighted',
      taskQueue: 'light',
      agents: [agent('scout'), agent('thinker', 'heavy')],
      topology: { kind: 'pipeline', steps: [{ agent: 'scout' }, { agent: 'thinker' }] },
    });
    const [scout, thinker] = team.spec.agents;
    expect(agentActivityOptions(scout!, team.spec).taskQueue).toBe('light');
    expect(agentActivityOptions(thinker!, team.spec).taskQueue).toBe('heavy');
    const plain = defineTeam({
      name: 'plain',
      agents: [agent('scout')],
      topology: { kind: 'pipeline', steps: [{ agent: 'scout' }] },
    });
    // No key at all, so the commands of runs without task queues are what they were (recorded histories replay).
    expect(Object.keys(agentActivityOptions(plain.spec.agents[0]!, plain.spec))).not.toContain('taskQueue');
  });

  it('a malformed queue name is refused when the agent or team is defined', () => {
    expect(() => agent('thinker', 'heavy models')).toThrow(/taskQueue.*use letters, digits/);
    expect(() =>
      defineTeam({
        name: 't',
        taskQueue: '/_sys/x',
        agents: [agent('a')],
        topology: { kind: 'pipeline', steps: [{ agent: 'a' }] },
      }),
    ).toThrow(/taskQueue/);
  });
});

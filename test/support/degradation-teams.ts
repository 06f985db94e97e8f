import { z } from 'zod';
import {
  ArgumentSchema,
  HandoffSchema,
  JudgmentSchema,
  RouteSchema,
  SupervisorDecisionSchema,
  SwarmMoveSchema,
  defineAgent,
  defineTeam,
  defineTool,
  type AgentConfig,
} from '../../src/team/index.js';

/** Teams for optional members in every topology, gates asked at once, and limits beside budgets (issue 12). */
const fast: Pick<AgentConfig, 'timeout' | 'heartbeatTimeout' | 'retry'> = {
  timeout: '2s',
  heartbeatTimeout: '2s',
  retry: { maximumAttempts: 3, initialInterval: 100, backoffCoefficient: 1, maximumInterval: 100 },
};
const optional = { optional: true };
const agent = (name: string, role: string, output: AgentConfig['output'], extra: Partial<AgentConfig> = {}) =>
  defineAgent({ name, role, system: `You are ${name}.`, output, ...fast, ...extra });
const writer = (name: string, extra: Partial<AgentConfig> = {}) => agent(name, 'writer', 'text', extra);

export const optionalWorker = defineTeam({
  name: 'optional-worker',
  agents: [agent('boss', 'supervisor', SupervisorDecisionSchema), writer('alpha'), writer('beta', optional)],
  topology: { kind: 'supervisor', supervisor: 'boss', workers: ['alpha', 'beta'], maxRounds: 3 },
});

// The router is marked optional too: a steering agent is never skipped.
export const optionalRoute = defineTeam({
  name: 'optional-route',
  agents: [agent('triage', 'router', RouteSchema, optional), writer('alpha', optional), writer('beta', optional)],
  topology: { kind: 'router', router: 'triage', routes: ['alpha', 'beta'] },
});

const debater = (name: string, extra: Partial<AgentConfig> = {}) => agent(name, 'debater', ArgumentSchema, extra);
export const optionalDebater = defineTeam({
  name: 'optional-debater',
  agents: [debater('pro'), debater('con'), debater('third', optional), agent('judge', 'judge', JudgmentSchema)],
  topology: {
    kind: 'debate',
    debaters: ['pro', 'con', 'third'],
    rounds: 2,
    decide: { by: 'judge', agent: 'judge' },
    stopOnConsensus: false,
  },
});
export const optionalDebaters = defineTeam({
  name: 'optional-debaters',
  agents: [debater('pro', optional), debater('con', optional)],
  topology: { kind: 'debate', debaters: ['pro', 'con'], rounds: 3, decide: { by: 'vote' } },
});

export const optionalAnt = defineTeam({
  name: 'optional-ant',
  agents: [
    agent('ant1', 'swarm agent', SwarmMoveSchema, optional),
    agent('ant2', 'swarm agent', SwarmMoveSchema, optional),
  ],
  topology: { kind: 'swarm', agents: ['ant1', 'ant2'], rounds: 5 },
});

// Every desk optional: the entry one still fails the run, having no one to hand the task back to.
export const optionalDesk = defineTeam({
  name: 'optional-desk',
  agents: [
    agent('front', 'front desk', HandoffSchema, optional),
    agent('billing', 'billing desk', HandoffSchema, optional),
    agent('tech', 'tech desk', HandoffSchema),
  ],
  topology: { kind: 'handoff', agents: ['front', 'billing', 'tech'], entry: 'front', maxHandoffs: 3 },
});

// A tool call waiting for approval in one member while another runs out of a budget that asks.
export const published: string[] = [];
const publish = defineTool({
  name: 'publish',
  description: 'Publish a text.',
  input: z.object({ text: z.string() }),
  approval: { approvers: ['ana'], timeout: '7d' },
  run: ({ text }) => {
    published.push(text);
    return 'published';
  },
});
export const gateBesideBudget = defineTeam({
  name: 'gate-beside-budget',
  agents: [
    agent('publisher', 'publisher', z.object({ answer: z.string() }), { tools: [publish] }),
    writer('w1'),
    writer('w2'),
  ],
  topology: { kind: 'pipeline', steps: [{ parallel: { members: ['publisher', 'w1', 'w2'] } }] },
  budget: { calls: 2, onExhausted: 'ask', approvers: ['ana'], askTimeout: '1d' },
});

// A team limit tighter than the budget: reaching it is a limit, not the budget running out.
export const limitedSteps = defineTeam({
  name: 'limited-steps',
  agents: ['s1', 's2', 's3', 's4'].map((n) => writer(n)),
  topology: { kind: 'pipeline', steps: ['s1', 's2', 's3', 's4'].map((a) => ({ agent: a })) },
  limits: { maxAgentCalls: 2 },
  budget: { calls: 10 },
});

export const degradationTeams = [
  optionalWorker,
  optionalRoute,
  optionalDebater,
  optionalDebaters,
  optionalAnt,
  optionalDesk,
  gateBesideBudget,
  limitedSteps,
];

import { z } from 'zod';
import {
  ArgumentSchema,
  TeamRegistry,
  VerdictSchema,
  defineAgent,
  defineTeam,
  defineTool,
  type AgentConfig,
  type BudgetSpecInput,
} from '../../src/team/index.js';
import { degradationTeams } from './degradation-teams.js';
import { callNeed, delegateToolsAtMost } from '../../src/workflows/runtime/call-bounds.js';

/** Teams with budgets, optional steps and signed gates (issue 12); also a teams module for `troupe worker --teams`. */
const fast: Pick<AgentConfig, 'timeout' | 'heartbeatTimeout' | 'retry'> = {
  timeout: '2s',
  heartbeatTimeout: '2s',
  retry: { maximumAttempts: 3, initialInterval: 100, backoffCoefficient: 1, maximumInterval: 100 },
};
const writer = (name: string, extra: Partial<AgentConfig> = {}) =>
  defineAgent({ name, role: 'writer', system: `You are ${name}.`, output: 'text', ...fast, ...extra });
const debater = (name: string) =>
  defineAgent({ name, role: 'debater', system: `Argue as ${name}.`, output: ArgumentSchema, ...fast });
const critic = defineAgent({
  name: 'critic',
  role: 'critic',
  system: 'Review.',
  output: VerdictSchema,
  optional: true,
  ...fast,
});
const steps = (...names: string[]) => ({ kind: 'pipeline' as const, steps: names.map((agent) => ({ agent })) });

// The agent loop whole, under a budget: tool turns, a turn that fails for good (counted), the
// fallback's one-shot call with a repair, and a later step the budget leaves no room for.
const lookup = defineTool({
  name: 'lookup',
  description: 'Look up a fact.',
  input: z.object({ topic: z.string() }),
  run: ({ topic }) => `${topic}: durable`,
});
export const loopUnderBudget = defineTeam({
  name: 'loop-under-budget',
  agents: [
    writer('researcher', { tools: [lookup], fallback: 'backup', retry: { maximumAttempts: 1 } }),
    defineAgent({ name: 'backup', role: 'researcher', system: 'You are backup.', output: ArgumentSchema, ...fast }),
    writer('editor'),
    writer('publisher'),
  ],
  topology: steps('researcher', 'editor', 'publisher'),
  budget: { calls: 6, tokens: 100_000 },
});

// Three writers at once with room for two calls: the third never starts.
export const fanOnBudget = defineTeam({
  name: 'fan-on-budget',
  agents: [writer('w1'), writer('w2'), writer('w3'), writer('editor')],
  topology: { kind: 'pipeline', steps: [{ parallel: { members: ['w1', 'w2', 'w3'] } }, { agent: 'editor' }] },
  budget: { calls: 2 },
});

// Four steps, any cap: for per-run budgets (tokens, USD, calls) given at start.
export const fourSteps = defineTeam({
  name: 'four-steps',
  agents: ['s1', 's2', 's3', 's4'].map((n) => writer(n)),
  topology: steps('s1', 's2', 's3', 's4'),
});

// A time cap: the approval waits two days, the budget allows one hour, so the second step never starts.
export const slowApproval = defineTeam({
  name: 'slow-approval',
  agents: [writer('drafter'), writer('editor')],
  topology: {
    kind: 'pipeline',
    steps: [
      { agent: 'drafter', approval: { gate: 'look', approvers: ['ana'], timeout: '2d', onTimeout: 'approve' } },
      { agent: 'editor' },
    ],
  },
  budget: { time: '1h' },
});

// Asks a person when its two calls are spent.
export const askingTeam = defineTeam({
  name: 'asking-team',
  agents: ['s1', 's2', 's3', 's4'].map((n) => writer(n)),
  topology: steps('s1', 's2', 's3', 's4'),
  budget: { calls: 2, onExhausted: 'ask', approvers: ['ana'], askTimeout: '1d' },
});

// Switches to its cheaper model once half the budget is spent.
export const thrifty = defineTeam({
  name: 'thrifty',
  agents: ['s1', 's2', 's3', 's4'].map((n) =>
    writer(n, { model: 'claude-sonnet-5-5', cheaperModel: 'claude-haiku-5-5' }),
  ),
  topology: steps('s1', 's2', 's3', 's4'),
  budget: { calls: 10, lowAt: 0.2 },
});

// A long debate that continues as new every few rounds, with a call budget over the whole chain.
export const budgetedDebate = defineTeam({
  name: 'budgeted-debate',
  agents: [debater('pro'), debater('con')],
  topology: { kind: 'debate', debaters: ['pro', 'con'], rounds: 100, decide: { by: 'vote' }, stopOnConsensus: false },
  limits: { historyEvents: 100 },
  budget: { calls: 25 },
});

// A budget over a tree: the sub-team spends from what the parent has left.
export const budgetLeaf = defineTeam({
  name: 'budget-leaf',
  agents: [writer('l1'), writer('l2'), writer('l3')],
  topology: steps('l1', 'l2', 'l3'),
});
export const budgetRoot = defineTeam({
  name: 'budget-root',
  agents: [writer('r1')],
  subteams: [budgetLeaf],
  topology: { kind: 'pipeline', steps: [{ agent: 'r1' }, { team: 'budget-leaf' }, { agent: 'r1' }] },
  budget: { calls: 3 },
});
// A sub-team working beside an agent under a call cap: the sub-team leaves the agent its call.
export const leafBesideWriter = (
  name: string,
  cap: { limits?: { maxAgentCalls: number }; budget?: { calls: number } },
) =>
  defineTeam({
    name,
    agents: [writer('w1'), writer('editor')],
    subteams: [budgetLeaf],
    topology: { kind: 'pipeline', steps: [{ parallel: { members: ['budget-leaf', 'w1'] } }] },
    ...cap,
  });
export const leafBesideWriterLimited = leafBesideWriter('leaf-beside-writer', { limits: { maxAgentCalls: 10 } });
export const leafBesideWriterTight = leafBesideWriter('leaf-beside-writer-tight', { budget: { calls: 3 } });

// Exact caps: tokens and USD held for calls in flight, a call stopped at the time cap.
export const fanOnTokens = defineTeam({
  name: 'fan-on-tokens',
  agents: [
    writer('w1', { maxTokens: 1_000 }),
    writer('w2', { maxTokens: 1_000 }),
    writer('w3', { maxTokens: 1_000 }),
    writer('editor', { maxTokens: 1_000 }),
  ],
  topology: { kind: 'pipeline', steps: [{ parallel: { members: ['w1', 'w2', 'w3'] } }, { agent: 'editor' }] },
  budget: { tokens: 4_000 },
});
const slowThenQuick = (name: string, budget: BudgetSpecInput) =>
  defineTeam({
    name,
    agents: [writer('w1', { timeout: '30s', heartbeatTimeout: '30s', retry: { maximumAttempts: 1 } }), writer('w2')],
    topology: steps('w1', 'w2'),
    budget,
  });
// A call that times out under a token cap may have been billed for what it generated: its worst case stays spent.
export const timedOutOnTokens = defineTeam({
  name: 'timed-out-on-tokens',
  agents: [
    writer('t1', { maxTokens: 1_000, optional: true, retry: { maximumAttempts: 1 } }),
    writer('t2', { maxTokens: 1_000 }),
  ],
  topology: steps('t1', 't2'),
  budget: { tokens: 3_000 },
});
export const slowCall = slowThenQuick('slow-call', { time: '3s' });
// w1's own total timeout (6 s) ends before the cap: the cap does not cut its call, though it times out within one
// attempt of the cap. That is w1 failing, not the cap stopping the run: w1 is optional, so it is skipped and w2 goes on.
export const ownTimeoutNearCap = defineTeam({
  name: 'own-timeout-near-cap',
  agents: [
    writer('w0', { timeout: '10s' }),
    writer('w1', {
      timeout: '6s',
      totalTimeout: '6s',
      heartbeatTimeout: '6s',
      retry: { maximumAttempts: 1 },
      optional: true,
    }),
    writer('w2'),
  ],
  topology: steps('w0', 'w1', 'w2'),
  budget: { time: '12s' },
});
export const slowCallAsking = slowThenQuick('slow-call-asking', { time: '3s', onExhausted: 'ask', approvers: ['ana'] });

// Sub-teams side by side, or delegated to in one turn, share what is left.
export const budgetLeafB = defineTeam({
  name: 'budget-leaf-b',
  agents: [writer('m1'), writer('m2'), writer('m3')],
  topology: steps('m1', 'm2', 'm3'),
});
const leavesSideBySide = (name: string, budget: { calls: number } | { tokens: number }) =>
  defineTeam({
    name,
    agents: [writer('w1')],
    subteams: [budgetLeaf, budgetLeafB],
    topology: { kind: 'pipeline', steps: [{ parallel: { members: ['budget-leaf', 'budget-leaf-b'] } }] },
    budget,
  });
export const twoLeaves = leavesSideBySide('two-leaves', { calls: 4 });
export const twoLeavesOnTokens = leavesSideBySide('two-leaves-on-tokens', { tokens: 11_000 });
export const leadOfLeaves = defineTeam({
  name: 'lead-of-leaves',
  agents: [writer('lead', { delegates: ['budget-leaf', 'budget-leaf-b'] })],
  subteams: [budgetLeaf, budgetLeafB],
  topology: steps('lead'),
  budget: { calls: 6 },
});

// A sub-team that fails at its second step, delegated to: the lead goes on, and pays for what it spent.
export const failingLeaf = defineTeam({
  name: 'failing-leaf',
  agents: [writer('f1'), writer('f2'), writer('f3')],
  topology: steps('f1', 'f2', 'f3'),
});
export const leadOfFailing = defineTeam({
  name: 'lead-of-failing',
  agents: [writer('lead', { delegates: ['failing-leaf'] })],
  subteams: [failingLeaf],
  topology: steps('lead'),
  budget: { tokens: 100_000 },
});

// Graceful degradation: an optional critic, an optional middle step, an optional member of a fan-out.
export const optionalCritic = defineTeam({
  name: 'optional-critic',
  agents: [writer('drafter'), critic],
  topology: {
    kind: 'pipeline',
    steps: [{ agent: 'drafter', gate: { kind: 'agent', agent: 'critic', maxRevisions: 2 } }],
  },
});
export const optionalStep = defineTeam({
  name: 'optional-step',
  agents: [writer('drafter'), writer('polisher', { optional: true }), writer('publisher')],
  topology: steps('drafter', 'polisher', 'publisher'),
});
export const optionalMember = defineTeam({
  name: 'optional-member',
  agents: [writer('w1'), writer('w2', { optional: true })],
  topology: { kind: 'pipeline', steps: [{ parallel: { members: ['w1', 'w2'] } }] },
});
export const requiredStep = defineTeam({
  name: 'required-step',
  agents: [writer('drafter'), writer('polisher'), writer('publisher')],
  topology: steps('drafter', 'polisher', 'publisher'),
});

// A gate decided by an outside system, by signal: decisions must be signed.
export const signedGate = defineTeam({
  name: 'signed-gate',
  agents: [writer('drafter')],
  topology: {
    kind: 'pipeline',
    steps: [{ agent: 'drafter', approval: { gate: 'deploy', approvers: ['ci-bot'], timeout: '7d', signed: true } }],
  },
});

// A token cap that one call of the lead fits only without its delegate tool's definition (the helper's role is long):
// the lead's worst case counts that definition, so the run stops before the call.
const helper = writer('helper', { role: `helper who ${'checks every figure twice and '.repeat(100)}writes it down` });
const delegatingLead = writer('lead', { delegates: ['helper'], maxTokens: 1_000 });
const leadTeam = { name: 'lead-on-tokens', agents: [delegatingLead, helper], topology: steps('lead') };
const unbudgeted = defineTeam(leadTeam).spec;
/** What the lead's worst case leaves out without its delegate tool, and what that tool's definition adds. */
export const leadWorstCase = {
  withoutDelegateTools: callNeed(unbudgeted.agents[0]!, []).inputTokens + 1_000,
  delegateTools: delegateToolsAtMost(unbudgeted.agents[0]!, unbudgeted),
};
export const leadOnTokens = defineTeam({ ...leadTeam, budget: { tokens: leadWorstCase.withoutDelegateTools + 1_500 } });

export const teams = [
  leadOnTokens,
  fanOnTokens,
  timedOutOnTokens,
  slowCall,
  slowCallAsking,
  ownTimeoutNearCap,
  budgetLeafB,
  twoLeaves,
  twoLeavesOnTokens,
  leadOfLeaves,
  failingLeaf,
  leadOfFailing,
  fanOnBudget,
  fourSteps,
  slowApproval,
  askingTeam,
  thrifty,
  budgetedDebate,
  budgetLeaf,
  budgetRoot,
  leafBesideWriterLimited,
  leafBesideWriterTight,
  optionalCritic,
  optionalStep,
  optionalMember,
  requiredStep,
  signedGate,
  ...degradationTeams,
];
export const registry = new TeamRegistry(teams);

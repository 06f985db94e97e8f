import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  ArgumentSchema,
  HandoffSchema,
  JudgmentSchema,
  RouteSchema,
  SupervisorDecisionSchema,
  SwarmMoveSchema,
  TeamRegistry,
  VerdictSchema,
  defineAgent,
  defineTeam,
  defineTool,
  type AgentConfig,
} from '../../src/team/index.js';

/** Small teams with short timeouts and fast retries, for exercising the runtime rather than prose. */
const fast: Pick<AgentConfig, 'timeout' | 'heartbeatTimeout' | 'retry'> = {
  timeout: '2s',
  heartbeatTimeout: '2s',
  retry: { maximumAttempts: 3, initialInterval: 100, backoffCoefficient: 1, maximumInterval: 100 },
};

const drafter = defineAgent({ name: 'drafter', role: 'writer', system: 'Draft.', output: 'text', ...fast });
const reviewer = defineAgent({ name: 'reviewer', role: 'critic', system: 'Review.', output: VerdictSchema, ...fast });
const extractor = defineAgent({
  name: 'extractor',
  role: 'extractor',
  system: 'Extract the answer.',
  output: z.object({ answer: z.number() }),
  maxRepairs: 1,
  ...fast,
});
const primary = defineAgent({
  name: 'primary',
  role: 'writer',
  system: 'Write.',
  output: 'text',
  fallback: 'backup',
  ...fast,
});
const backup = defineAgent({ name: 'backup', role: 'writer', system: 'Write, simply.', output: 'text', ...fast });

export const reviewLoop = defineTeam({
  name: 'review-loop',
  agents: [drafter, reviewer],
  topology: {
    kind: 'pipeline',
    steps: [{ agent: 'drafter', gate: { kind: 'agent', agent: 'reviewer', maxRevisions: 2 } }],
  },
});

export const strictReview = defineTeam({
  name: 'strict-review',
  agents: [drafter, reviewer],
  topology: {
    kind: 'pipeline',
    steps: [{ agent: 'drafter', gate: { kind: 'agent', agent: 'reviewer', maxRevisions: 1, onExhausted: 'fail' } }],
  },
});

export const extractThenWrite = defineTeam({
  name: 'extract-then-write',
  agents: [extractor, drafter],
  topology: { kind: 'pipeline', steps: [{ agent: 'extractor' }, { agent: 'drafter' }] },
});

export const withFallback = defineTeam({
  name: 'with-fallback',
  agents: [primary, backup],
  topology: { kind: 'pipeline', steps: [{ agent: 'primary' }] },
});

export const wordLimit = defineTeam({
  name: 'word-limit',
  agents: [drafter],
  checks: {
    short: (output) =>
      String(output).split(/\s+/).length <= 5
        ? { approved: true, feedback: 'short enough' }
        : { approved: false, feedback: 'use at most 5 words' },
  },
  topology: {
    kind: 'pipeline',
    steps: [{ agent: 'drafter', gate: { kind: 'check', check: 'short', maxRevisions: 3 } }],
  },
});

// Steering agents and plain workers for the other topologies.
const text = (name: string, role: string) =>
  defineAgent({ name, role, system: `You are ${name}.`, output: 'text', ...fast });
const alpha = text('alpha', 'analyst');
const beta = text('beta', 'engineer');
const gamma = text('gamma', 'reviewer');
const boss = defineAgent({
  name: 'boss',
  role: 'supervisor',
  system: 'Supervise.',
  output: SupervisorDecisionSchema,
  maxRepairs: 1,
  ...fast,
});
const triage = defineAgent({
  name: 'triage',
  role: 'router',
  system: 'Route.',
  output: RouteSchema,
  maxRepairs: 1,
  ...fast,
});
const debater = (name: string) =>
  defineAgent({ name, role: 'debater', system: `Argue as ${name}.`, output: ArgumentSchema, ...fast });
const judge = defineAgent({ name: 'judge', role: 'judge', system: 'Judge.', output: JudgmentSchema, ...fast });
const ant = (name: string) =>
  defineAgent({
    name,
    role: 'swarm agent',
    system: 'Work the board.',
    output: SwarmMoveSchema,
    maxRepairs: 1,
    ...fast,
  });
const desk = (name: string) =>
  defineAgent({
    name,
    role: `${name} desk`,
    system: `You are the ${name} desk.`,
    output: HandoffSchema,
    maxRepairs: 1,
    ...fast,
  });

export const supervised = defineTeam({
  name: 'supervised',
  agents: [boss, alpha, beta],
  topology: { kind: 'supervisor', supervisor: 'boss', workers: ['alpha', 'beta'], maxRounds: 3 },
});

export const routed = defineTeam({
  name: 'routed',
  agents: [triage, alpha, beta],
  topology: { kind: 'router', router: 'triage', routes: ['alpha', 'beta'] },
});

// A router whose own output schema lacks the route decision's `reason`: its answers never fit the decision.
const loose = defineAgent({
  name: 'loose',
  role: 'router',
  system: 'Route.',
  output: z.object({ route: z.string() }),
  maxRepairs: 1,
  ...fast,
});
export const looseRouter = defineTeam({
  name: 'loose-router',
  agents: [loose, alpha, beta],
  topology: { kind: 'router', router: 'loose', routes: ['alpha', 'beta'] },
});

// A hierarchy three deep: top (supervisor) → middle (pipeline) → leaf (pipeline).
export const leaf = defineTeam({
  name: 'leaf',
  agents: [gamma],
  topology: { kind: 'pipeline', steps: [{ agent: 'gamma' }] },
});
export const middle = defineTeam({
  name: 'middle',
  agents: [alpha],
  subteams: [leaf],
  topology: { kind: 'pipeline', steps: [{ agent: 'alpha' }, { team: 'leaf' }] },
});
export const top = defineTeam({
  name: 'top',
  agents: [boss, beta],
  subteams: [middle],
  topology: { kind: 'supervisor', supervisor: 'boss', workers: ['middle', 'beta'], maxRounds: 3 },
});

export const fanned = defineTeam({
  name: 'fanned',
  agents: [alpha, beta, gamma],
  topology: {
    kind: 'pipeline',
    steps: [
      { parallel: { members: ['alpha', 'beta'], mode: 'sections' } },
      { parallel: { members: ['alpha', 'beta', 'gamma'], mode: 'vote' } },
    ],
  },
});

export const judged = defineTeam({
  name: 'judged',
  agents: [debater('pro'), debater('con'), judge],
  topology: { kind: 'debate', debaters: ['pro', 'con'], rounds: 3, decide: { by: 'judge', agent: 'judge' } },
});

export const voted = defineTeam({
  name: 'voted',
  agents: [debater('pro'), debater('con'), debater('third')],
  topology: {
    kind: 'debate',
    debaters: ['pro', 'con', 'third'],
    rounds: 2,
    decide: { by: 'vote' },
    stopOnConsensus: false,
  },
});

export const colony = defineTeam({
  name: 'colony',
  agents: [ant('ant1'), ant('ant2')],
  topology: { kind: 'swarm', agents: ['ant1', 'ant2'], rounds: 6 },
});

// A swarm long enough to need continue-as-new: five agents for a thousand rounds, a short history limit.
export const bigColony = defineTeam({
  name: 'big-colony',
  agents: ['a1', 'a2', 'a3', 'a4', 'a5'].map(ant),
  topology: { kind: 'swarm', agents: ['a1', 'a2', 'a3', 'a4', 'a5'], rounds: 1_000 },
  limits: { historyEvents: 2_000 },
});

export const budgeted = defineTeam({
  name: 'budgeted',
  agents: [boss, alpha, beta],
  topology: { kind: 'supervisor', supervisor: 'boss', workers: ['alpha', 'beta'], maxRounds: 10 },
  limits: { maxAgentCalls: 4 },
});

export const desks = defineTeam({
  name: 'desks',
  agents: [desk('front'), desk('billing'), desk('tech')],
  topology: { kind: 'handoff', agents: ['front', 'billing', 'tech'], entry: 'front', maxHandoffs: 3 },
});

// Typed handoffs: the reporter only accepts an extractor-shaped answer.
const reporter = defineAgent({
  name: 'reporter',
  role: 'reporter',
  system: 'Report the answer.',
  output: 'text',
  input: z.object({ answer: z.number() }),
  ...fast,
});
export const typedHandoff = defineTeam({
  name: 'typed-handoff',
  agents: [extractor, reporter],
  topology: { kind: 'pipeline', steps: [{ agent: 'extractor' }, { agent: 'reporter' }] },
});
export const mistypedHandoff = defineTeam({
  name: 'mistyped-handoff',
  agents: [drafter, reporter],
  topology: { kind: 'pipeline', steps: [{ agent: 'drafter' }, { agent: 'reporter' }] },
});

// A call starts only when its worst case fits the token limit (its input estimate plus its 2,048
// output tokens at most): 4,000 lets in the boss (400 spent) and alpha (700), not the boss's next turn.
export const tokenBudget = defineTeam({
  name: 'token-budget',
  agents: [boss, alpha, beta],
  topology: { kind: 'supervisor', supervisor: 'boss', workers: ['alpha', 'beta'], maxRounds: 10 },
  limits: { maxTokens: 4_000 },
});

// One budget for a whole tree: the sub-teams spend from what the top team has left.
export const budgetTree = defineTeam({
  name: 'budget-tree',
  agents: [boss, beta],
  subteams: [middle],
  topology: { kind: 'supervisor', supervisor: 'boss', workers: ['middle', 'beta'], maxRounds: 5 },
  limits: { maxAgentCalls: 3 },
});

// Human approval: the drafter's work must be approved by ana (escalating to boss) before release.
export const remindersSent: { gate: string; approvers: string[]; deadline: string }[] = [];
const approvalTeam = (name: string, approval: Record<string, unknown>, release?: Record<string, unknown>) =>
  defineTeam({
    name,
    agents: [drafter],
    topology: {
      kind: 'pipeline',
      steps: [{ agent: 'drafter', approval: { gate: 'publish', approvers: ['ana'], ...approval } }],
    },
    ...(release ? { release: release as never } : {}),
    notify: (reminder) => {
      remindersSent.push({ gate: reminder.gate, approvers: reminder.approvers, deadline: reminder.deadline });
    },
  });
export const approvalTeams = [
  approvalTeam('approve-in-week', { timeout: '7d' }),
  approvalTeam('expire-reject', { timeout: '24h', onTimeout: 'reject', remindBefore: ['1h'] }),
  approvalTeam('expire-approve', { timeout: '24h', onTimeout: 'approve' }),
  approvalTeam('expire-escalate', {
    timeout: '24h',
    onTimeout: 'escalate',
    escalateTo: { approvers: ['boss'], timeout: '12h', onTimeout: 'reject' },
  }),
  approvalTeam('two-gates', { timeout: '7d' }, { gate: 'final', approvers: ['*'], timeout: '7d' }),
];

// Approval only when the agent's structured output asks for it; and a release gate on a router.
const asker = defineAgent({
  name: 'asker',
  role: 'writer',
  system: 'Write; ask for approval when unsure.',
  output: z.object({ text: z.string(), needsApproval: z.boolean() }),
  ...fast,
});
export const askWhenUnsure = defineTeam({
  name: 'ask-when-unsure',
  agents: [asker],
  topology: {
    kind: 'pipeline',
    steps: [{ agent: 'asker', approval: { gate: 'check', approvers: ['ana'], when: 'requested', timeout: '7d' } }],
  },
});
export const releasedRoute = defineTeam({
  name: 'released-route',
  agents: [triage, alpha, beta],
  topology: { kind: 'router', router: 'triage', routes: ['alpha', 'beta'] },
  release: { gate: 'release', approvers: ['ana'], timeout: '7d' },
});

// Release gates on runs that continue-as-new before the gate: changes must redo the whole work.
export const releasedDebate = defineTeam({
  name: 'released-debate',
  agents: [debater('pro'), debater('con')],
  topology: { kind: 'debate', debaters: ['pro', 'con'], rounds: 10, decide: { by: 'vote' }, stopOnConsensus: false },
  limits: { historyEvents: 100 },
  release: { gate: 'release', approvers: ['ana'], timeout: '7d' },
});
export const releasedSupervisor = defineTeam({
  name: 'released-supervisor',
  agents: [boss, alpha],
  topology: { kind: 'supervisor', supervisor: 'boss', workers: ['alpha'], maxRounds: 20 },
  limits: { historyEvents: 100 },
  release: { gate: 'release', approvers: ['ana'], timeout: '7d' },
});

// One of each thing that makes accounting hard: a repair, a fallback after a failed call, a sub-team,
// and a release gate so the figures can be read while the run waits.
export const accounting = defineTeam({
  name: 'accounting',
  agents: [extractor, primary, backup],
  subteams: [leaf],
  topology: { kind: 'pipeline', steps: [{ agent: 'extractor' }, { agent: 'primary' }, { team: 'leaf' }] },
  release: { gate: 'release', approvers: ['ana'], timeout: '7d' },
});

// The default retry policy (no attempt count, a total time bound), with short attempts for tests.
const patient = defineAgent({
  name: 'patient',
  role: 'writer',
  system: 'Write.',
  output: 'text',
  timeout: '2s',
  heartbeatTimeout: '2s',
});
const hasty = defineAgent({
  name: 'hasty',
  role: 'writer',
  system: 'Write.',
  output: 'text',
  timeout: '2s',
  heartbeatTimeout: '2s',
  totalTimeout: '4s',
});
export const defaultRetries = defineTeam({
  name: 'default-retries',
  agents: [patient],
  topology: { kind: 'pipeline', steps: [{ agent: 'patient' }] },
});
export const boundedRetries = defineTeam({
  name: 'bounded-retries',
  agents: [hasty],
  topology: { kind: 'pipeline', steps: [{ agent: 'hasty' }] },
});

// A sub-team whose answer needs release: its gate is decided on the child run.
const releasedLeaf = defineTeam({
  name: 'released-leaf',
  agents: [gamma],
  topology: { kind: 'pipeline', steps: [{ agent: 'gamma' }] },
  release: { gate: 'leaf-release', approvers: ['ana'], timeout: '7d' },
});
export const parentOfReleased = defineTeam({
  name: 'parent-of-released',
  agents: [alpha],
  subteams: [releasedLeaf],
  topology: { kind: 'pipeline', steps: [{ agent: 'alpha' }, { team: 'released-leaf' }] },
});

// More envelopes than a run keeps in memory (200), for following a long run.
export const longDebate = defineTeam({
  name: 'long-debate',
  agents: [debater('pro'), debater('con')],
  topology: { kind: 'debate', debaters: ['pro', 'con'], rounds: 110, decide: { by: 'vote' }, stopOnConsensus: false },
});

// Agents with tools. Tool side effects are counted here, outside the workflow.
export const toolCalls: { tool: string; input: unknown }[] = [];
const search = defineTool({
  name: 'search',
  description: 'Search the notes for a query.',
  input: z.object({ query: z.string() }),
  run: ({ query }) => {
    toolCalls.push({ tool: 'search', input: { query } });
    return `results for ${query}`;
  },
});
const flaky = defineTool({
  name: 'flaky',
  description: 'Always fails.',
  input: z.object({}),
  retry: { maximumAttempts: 2, initialInterval: 10, backoffCoefficient: 1, maximumInterval: 10 },
  run: () => {
    toolCalls.push({ tool: 'flaky', input: {} });
    throw new Error('the service is down');
  },
});
const publish = defineTool({
  name: 'publish',
  description: 'Publish a text to the world.',
  input: z.object({ text: z.string() }),
  approval: { approvers: ['ana'], timeout: '7d' },
  run: ({ text }) => {
    toolCalls.push({ tool: 'publish', input: { text } });
    return 'published';
  },
});
/** Returns `size` bytes: for measuring what large tool results cost the history. */
const fetchPage = defineTool({
  name: 'fetch_page',
  description: 'Fetch a page of the given size.',
  input: z.object({ size: z.number().int().positive() }),
  run: ({ size }) => 'x'.repeat(size),
});
/** Outlasts its own timeout: the model is told the call timed out. */
const stall = defineTool({
  name: 'stall',
  description: 'Take too long.',
  input: z.object({}),
  timeout: '500ms',
  retry: { maximumAttempts: 1 },
  heartbeatTimeout: false,
  run: async () => {
    await sleep(3_000);
    return 'too late';
  },
});
export const stalling = defineTeam({
  name: 'stalling',
  agents: [
    defineAgent({ name: 'staller', role: 'clerk', system: 'Use the tool.', output: 'text', tools: [stall], ...fast }),
  ],
  topology: { kind: 'pipeline', steps: [{ agent: 'staller' }] },
});
const toolUser = (name: string, extra: Partial<AgentConfig> = {}) =>
  defineAgent({
    name,
    role: 'researcher',
    system: 'Use your tools, then answer.',
    output: z.object({ answer: z.string() }),
    tools: [search, flaky, publish, fetchPage],
    ...fast,
    ...extra,
  });
export const toolTeam = defineTeam({
  name: 'tool-team',
  agents: [toolUser('researcher')],
  topology: { kind: 'pipeline', steps: [{ agent: 'researcher' }] },
});
export const shortLoop = defineTeam({
  name: 'short-loop',
  agents: [toolUser('researcher', { maxTurns: 2 })],
  topology: { kind: 'pipeline', steps: [{ agent: 'researcher' }] },
});
export const longLoop = defineTeam({
  name: 'long-loop',
  agents: [toolUser('researcher', { maxTurns: 100, timeout: '30s' })],
  topology: { kind: 'pipeline', steps: [{ agent: 'researcher' }] },
});

// A tool whose side effects land in a file (TROUPE_TEST_SIDE_EFFECTS), outside any worker process:
// "start <step>" when it begins, "done <step>" when it finishes.
const record = defineTool({
  name: 'record',
  description: 'Record a step.',
  input: z.object({ step: z.string(), delayMs: z.number().int().nonnegative().default(0) }),
  timeout: '3s',
  retry: { maximumAttempts: 5, initialInterval: 100, backoffCoefficient: 1, maximumInterval: 100 },
  run: async ({ step, delayMs }) => {
    const file = process.env['TROUPE_TEST_SIDE_EFFECTS'];
    if (!file) throw new Error('TROUPE_TEST_SIDE_EFFECTS is not set');
    appendFileSync(file, `start ${step}\n`);
    await sleep(delayMs);
    appendFileSync(file, `done ${step}\n`);
    return `recorded ${step}`;
  },
});
export const crashTools = defineTeam({
  name: 'crash-tools',
  agents: [
    defineAgent({
      name: 'recorder',
      role: 'clerk',
      system: 'Record the steps.',
      output: 'text',
      tools: [record],
      ...fast,
    }),
  ],
  topology: { kind: 'pipeline', steps: [{ agent: 'recorder' }] },
});
// The same tool with the default timeouts (60 s): only its heartbeat gets a dead worker's call retried sooner.
const recordPatiently = defineTool({
  name: 'record_patiently',
  description: 'Record a step.',
  input: z.object({ step: z.string(), delayMs: z.number().int().nonnegative().default(0) }),
  retry: { maximumAttempts: 5, initialInterval: 100 },
  run: (input) => record.run(input),
});
export const crashLongTool = defineTeam({
  name: 'crash-long-tool',
  agents: [
    defineAgent({
      name: 'recorder',
      role: 'clerk',
      system: 'Record the steps.',
      output: 'text',
      tools: [recordPatiently],
      ...fast,
    }),
  ],
  topology: { kind: 'pipeline', steps: [{ agent: 'recorder' }] },
});

// Delegation as tool calls: a lead hands sub-tasks to an agent and to a sub-team, at once.
const lead = defineAgent({
  name: 'lead',
  role: 'lead',
  system: 'Split the work, delegate, then combine.',
  output: 'text',
  delegates: ['alpha', 'leaf'],
  ...fast,
});
export const delegating = defineTeam({
  name: 'delegating',
  agents: [lead, alpha],
  subteams: [leaf],
  topology: { kind: 'pipeline', steps: [{ agent: 'lead' }] },
});
export const delegatingOnBudget = defineTeam({
  name: 'delegating-on-budget',
  agents: [lead, alpha],
  subteams: [leaf],
  topology: { kind: 'pipeline', steps: [{ agent: 'lead' }] },
  limits: { maxAgentCalls: 2 },
});

// Anthropic's server tools, run by the API within the call.
const surfer = defineAgent({
  name: 'surfer',
  role: 'researcher',
  system: 'Search the web.',
  output: 'text',
  serverTools: [{ kind: 'web_search', maxUses: 2 }, { kind: 'code_execution' }],
  ...fast,
});
export const webTeam = defineTeam({
  name: 'web-team',
  agents: [surfer],
  topology: { kind: 'pipeline', steps: [{ agent: 'surfer' }] },
});

export const teams = [
  ...approvalTeams,
  accounting,
  webTeam,
  toolTeam,
  shortLoop,
  longLoop,
  crashTools,
  crashLongTool,
  stalling,
  delegating,
  delegatingOnBudget,
  longDebate,
  parentOfReleased,
  defaultRetries,
  boundedRetries,
  askWhenUnsure,
  releasedRoute,
  releasedDebate,
  releasedSupervisor,
  typedHandoff,
  mistypedHandoff,
  tokenBudget,
  budgetTree,
  reviewLoop,
  strictReview,
  extractThenWrite,
  withFallback,
  wordLimit,
  supervised,
  routed,
  looseRouter,
  top,
  fanned,
  judged,
  voted,
  colony,
  bigColony,
  budgeted,
  desks,
];
export const registry = new TeamRegistry(teams);

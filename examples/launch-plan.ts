import { MODELS, SupervisorDecisionSchema, defineAgent, defineTeam } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';
import { researchBrief } from './research-brief.js';

/**
 * Supervisor-worker, and a hierarchy: the lead assigns work to a market analyst (an agent) and to
 * the research-brief team (a whole pipeline, run as a child workflow with its own history).
 */
const lead = defineAgent({
  name: 'lead',
  role: 'launch lead',
  model: MODELS.strong,
  system:
    'You plan product launches. Delegate research and analysis to your workers, then decide go or no-go with reasons.',
  output: SupervisorDecisionSchema,
});
const analyst = defineAgent({
  name: 'market-analyst',
  role: 'market analyst',
  model: MODELS.fast,
  system: 'Size the market and name the main competitors, in five bullet points at most.',
  output: 'text',
});

export const launchPlan = defineTeam({
  name: 'launch-plan',
  description: 'lead → (market-analyst ∥ research-brief team) → go/no-go',
  agents: [lead, analyst],
  subteams: [researchBrief],
  topology: { kind: 'supervisor', supervisor: 'lead', workers: ['market-analyst', 'research-brief'], maxRounds: 4 },
  limits: { maxAgentCalls: 30 },
});

export const launchPlanScript: MessagesScript = {
  'launch-plan/lead': [
    {
      delayMs: 700,
      json: {
        done: false,
        answer: 'Gather the market picture and a technical brief in parallel.',
        assignments: [
          {
            worker: 'market-analyst',
            task: 'Size the market for durable agent orchestration and name the main competitors.',
          },
          { worker: 'research-brief', task: 'Why do durable workflows matter for LLM agents?' },
        ],
      },
    },
    {
      delayMs: 700,
      json: {
        done: true,
        answer:
          'GO. Teams running agents in production lose work and money on crashes; durable orchestration is a clear gap next to existing agent frameworks. Lead with crash recovery and audit trails.',
        assignments: [],
      },
    },
  ],
  'launch-plan/market-analyst': [
    {
      delayMs: 900,
      text: '- Every team shipping LLM agents needs orchestration.\n- Competitors: agent frameworks without durable execution.\n- Gap: crash recovery, approvals that wait days, audit trails.',
    },
  ],
};

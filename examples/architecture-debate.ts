import { ArgumentSchema, JudgmentSchema, MODELS, defineAgent, defineTeam } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';

/** Debate: two advocates on different models argue opposite positions; a judge decides. */
const monolith = defineAgent({
  name: 'monolith-advocate',
  role: 'debater',
  model: MODELS.strong,
  system: 'Argue for a modular monolith. Concede points only when they are right.',
  output: ArgumentSchema,
});
const services = defineAgent({
  name: 'services-advocate',
  role: 'debater',
  model: MODELS.fast,
  system: 'Argue for microservices. Concede points only when they are right.',
  output: ArgumentSchema,
});
const judge = defineAgent({
  name: 'judge',
  role: 'judge',
  model: MODELS.strong,
  system: 'Decide which architecture the arguments support for this team, and why.',
  output: JudgmentSchema,
});

export const architectureDebate = defineTeam({
  name: 'architecture-debate',
  description: 'monolith-advocate vs services-advocate, 2 rounds, judged',
  agents: [monolith, services, judge],
  topology: {
    kind: 'debate',
    debaters: ['monolith-advocate', 'services-advocate'],
    rounds: 2,
    decide: { by: 'judge', agent: 'judge' },
  },
});

export const architectureDebateScript: MessagesScript = {
  'architecture-debate/monolith-advocate': [
    {
      delayMs: 600,
      json: {
        position: 'modular monolith',
        argument:
          'Six engineers cannot afford the operational cost of many services; module boundaries give most of the benefit.',
      },
    },
    {
      delayMs: 600,
      json: {
        position: 'modular monolith',
        argument:
          'Independent deploys matter, but a monolith with clear modules can be split later, when a module needs it.',
      },
    },
  ],
  'architecture-debate/services-advocate': [
    {
      delayMs: 600,
      json: {
        position: 'microservices',
        argument: 'Independent deploys let teams ship without coordinating releases.',
      },
    },
    {
      delayMs: 600,
      json: { position: 'microservices', argument: 'Splitting later is costly once modules share a database.' },
    },
  ],
  'architecture-debate/judge': [
    {
      delayMs: 600,
      json: {
        decision: 'modular monolith',
        rationale:
          'For a team this size, the operational cost of services outweighs independent deploys; keep module boundaries strict so a split stays possible.',
      },
    },
  ],
};

import { HandoffSchema, MODELS, defineAgent, defineTeam } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';

/** Handoff: the active agent answers or hands the conversation to the peer best placed to answer. */
const desk = (name: string, system: string) =>
  defineAgent({ name, role: `${name} desk`, model: MODELS.fast, system, output: HandoffSchema });

export const concierge = defineTeam({
  name: 'concierge',
  description: 'front desk hands off to accounts or travel until one answers',
  agents: [
    desk('front', 'Greet the customer and hand the request to the right desk; answer only general questions.'),
    desk('accounts', 'Handle loyalty points and account changes.'),
    desk('travel', 'Handle bookings, changes and cancellations.'),
  ],
  topology: { kind: 'handoff', agents: ['front', 'accounts', 'travel'], entry: 'front', maxHandoffs: 4 },
});

export const conciergeScript: MessagesScript = {
  'concierge/front': [
    {
      delayMs: 500,
      json: {
        handoffTo: 'travel',
        answer: 'Customer wants to move their Lisbon flight to Friday and use points for the fare difference.',
      },
    },
  ],
  'concierge/travel': [
    {
      delayMs: 600,
      json: { handoffTo: 'accounts', answer: 'Flight moved to Friday 09:40; fare difference is 4,200 points.' },
    },
  ],
  'concierge/accounts': [
    {
      delayMs: 600,
      json: {
        handoffTo: '',
        answer: 'Your flight is now Friday 09:40, and 4,200 points covered the fare difference. 18,300 points remain.',
      },
    },
  ],
};

import { MODELS, RouteSchema, defineAgent, defineTeam } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';

/** Router: a small, cheap model classifies the request and one specialist answers it. */
const triage = defineAgent({
  name: 'triage',
  role: 'router',
  model: MODELS.fast,
  system: 'Classify the customer request and send it to the one specialist who should answer it.',
  output: RouteSchema,
  timeout: '30s',
});
const billing = defineAgent({
  name: 'billing',
  role: 'billing specialist',
  system: 'Resolve billing questions: invoices, refunds, plans. Be concrete and brief.',
  output: 'text',
});
const technical = defineAgent({
  name: 'technical',
  role: 'technical support engineer',
  system: 'Diagnose technical problems step by step. Be concrete and brief.',
  output: 'text',
});

export const supportDesk = defineTeam({
  name: 'support-desk',
  description: 'triage → billing | technical: one cheap classification, one specialist',
  agents: [triage, billing, technical],
  topology: { kind: 'router', router: 'triage', routes: ['billing', 'technical'] },
});

export const supportDeskScript: MessagesScript = {
  'support-desk/triage': [
    { delayMs: 400, json: { route: 'billing', reason: 'The customer asks about a charge on their invoice.' } },
  ],
  'support-desk/billing': [
    {
      delayMs: 800,
      text: 'You were charged twice for November because a retried payment also succeeded. I have refunded the duplicate; it reaches your card in 3–5 business days.',
    },
  ],
  'support-desk/technical': [
    { delayMs: 800, text: 'Please send the request id from the error message so we can trace it.' },
  ],
};

import { z } from 'zod';
import { VerdictSchema, defineAgent, defineTeam } from 'troupe';
import type { MessagesScript } from 'troupe/testing';

// Your team: a researcher gathers findings, a writer drafts, a critic sends the draft back until
// it is good enough (at most twice). Change the prompts, add agents, pick another topology.
const researcher = defineAgent({
  name: 'researcher',
  role: 'researcher',
  system: 'List the key findings on the topic, each in one sentence. No prose.',
  output: z.object({ findings: z.array(z.string()).min(1) }),
});
const writer = defineAgent({ name: 'writer', role: 'writer', system: 'Write a brief of at most 100 words from the findings.', output: 'text' });
const critic = defineAgent({ name: 'critic', role: 'critic', system: 'Approve the brief only if it is accurate and concrete.', output: VerdictSchema });

export const teams = [
  defineTeam({
    name: '__NAME__',
    agents: [researcher, writer, critic],
    topology: {
      kind: 'pipeline',
      steps: [{ agent: 'researcher' }, { agent: 'writer', gate: { kind: 'agent', agent: 'critic', maxRevisions: 2 } }],
    },
  }),
];

// What agents answer without ANTHROPIC_API_KEY (and in the tests): replies per agent, in order.
export const offlineScript: MessagesScript = {
  researcher: [{ json: { findings: ['Durable workflows resume after a crash.', 'Finished model calls are not paid for twice.'] } }],
  writer: [{ text: 'A first draft.' }, { text: 'Durable workflows let agent teams resume after a crash without paying twice for finished model calls.' }],
  critic: [{ json: { approved: false, feedback: 'Say what durability buys.' } }, { json: { approved: true, feedback: 'Clear.' } }],
};

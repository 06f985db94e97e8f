import { z } from 'zod';
import { MODELS, VerdictSchema, defineAgent, defineTeam } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';

/**
 * A pipeline with an evaluator-optimizer loop: a researcher gathers findings, a writer turns them
 * into a brief, and a critic sends the brief back until it is good enough (at most twice).
 */
const Findings = z.object({
  findings: z.array(z.object({ claim: z.string(), why_it_matters: z.string() })).min(1),
  open_questions: z.array(z.string()),
});

const researcher = defineAgent({
  name: 'researcher',
  role: 'researcher',
  model: MODELS.strong,
  system:
    'You are a careful researcher. List the key findings on the topic, each with why it matters, and the open questions. Do not write prose.',
  output: Findings,
  timeout: '2m',
});

const writer = defineAgent({
  name: 'writer',
  role: 'writer',
  model: MODELS.strong,
  system:
    'You are a technical writer. Turn research findings into a brief of at most 150 words for an engineering lead. Plain prose, no headings.',
  output: 'text',
  timeout: '2m',
});

const critic = defineAgent({
  name: 'critic',
  role: 'critic',
  model: MODELS.fast,
  system:
    'You are a demanding editor. Approve a brief only if it is accurate to the findings, concrete and under 150 words.',
  output: VerdictSchema,
  timeout: '1m',
});

export const researchBrief = defineTeam({
  name: 'research-brief',
  description: 'researcher → writer ⇄ critic: a short brief on a topic, reviewed before release',
  agents: [researcher, writer, critic],
  topology: {
    kind: 'pipeline',
    steps: [
      { agent: 'researcher', instruction: 'Research the topic of the overall task.' },
      {
        agent: 'writer',
        instruction: "Write the brief from the researcher's findings.",
        gate: { kind: 'agent', agent: 'critic', maxRevisions: 2 },
      },
    ],
  },
});

/** What the offline provider answers for this team when no ANTHROPIC_API_KEY is set. */
export const researchBriefScript: MessagesScript = {
  'research-brief/researcher': [
    {
      delayMs: 900,
      json: {
        findings: [
          {
            claim: 'Agent runs fail mid-way: a crashed process loses every step not yet persisted.',
            why_it_matters: 'Paid LLM calls are repeated and long runs never finish.',
          },
          {
            claim: 'A durable workflow records each step in an event history before moving on.',
            why_it_matters: 'A restarted worker resumes from the last recorded step instead of starting over.',
          },
          {
            claim: 'Retries, timeouts and back-off belong to the orchestrator, not to each API call.',
            why_it_matters: 'Rate limits and overloads are absorbed without ad-hoc retry loops.',
          },
        ],
        open_questions: ['How large may a single agent output be before it should live outside the history?'],
      },
    },
  ],
  'research-brief/writer': [
    {
      delayMs: 900,
      text: 'Durable workflows matter for LLM agents because agent runs are long, expensive and fragile.',
    },
    {
      delayMs: 900,
      text:
        'LLM agent runs are long, costly and fragile: when a process crashes mid-run, every unpersisted step is lost and paid model calls are repeated. ' +
        'A durable workflow records each step in an event history before moving on, so a restarted worker resumes where it stopped. ' +
        'Retries, timeouts and back-off move from hand-written loops into the orchestrator, which absorbs rate limits and overloads. ' +
        'The same history doubles as an audit trail of who decided what. Open question: how large an agent output may grow before it belongs outside the history.',
    },
  ],
  'research-brief/critic': [
    {
      delayMs: 600,
      json: {
        approved: false,
        feedback:
          'Too vague: name the concrete failure (lost steps, repeated paid calls) and what the history gives you.',
      },
    },
    { delayMs: 600, json: { approved: true, feedback: 'Concrete, accurate to the findings, under 150 words.' } },
  ],
};

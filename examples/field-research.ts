import { readFileSync, readdirSync } from 'node:fs';
import { z } from 'zod';
import { MODELS, VerdictSchema, defineAgent, defineTeam, defineTool } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';

/**
 * An agent that acts: a researcher searches a small corpus of field notes (examples/field-notes)
 * with tools, then answers with its sources. A code check makes sure every source exists; an
 * editor writes the brief and a validator model reviews it.
 */
const NOTES = new URL('./field-notes/', import.meta.url);
const notes = (): { id: string; text: string }[] =>
  readdirSync(NOTES)
    .filter((file) => file.endsWith('.md'))
    .map((file) => ({ id: file.replace(/\.md$/, ''), text: readFileSync(new URL(file, NOTES), 'utf8') }));

const searchNotes = defineTool({
  name: 'search_notes',
  description: 'Search the field notes. Returns the id and title of each note that mentions any of the words.',
  input: z.object({ query: z.string().min(1).describe('words to look for') }),
  run: ({ query }) => {
    const words = query.toLowerCase().split(/\W+/).filter(Boolean);
    return notes()
      .filter((note) => words.some((word) => note.text.toLowerCase().includes(word)))
      .map((note) => ({ id: note.id, title: note.text.split('\n')[0]?.replace(/^#\s*/, '') }));
  },
});
const readNote = defineTool({
  name: 'read_note',
  description: 'Read one field note by its id.',
  input: z.object({ id: z.string().describe('a note id from search_notes') }),
  run: ({ id }) => {
    const note = notes().find((n) => n.id === id);
    if (!note) throw new Error(`no note "${id}"`);
    return note.text;
  },
});

const Findings = z.object({
  answer: z.string(),
  sources: z.array(z.string()).describe('ids of the notes the answer rests on'),
});

const researcher = defineAgent({
  name: 'researcher',
  role: 'researcher',
  model: MODELS.strong,
  system: 'Answer from the field notes only: search them, read the relevant ones, and cite their ids as sources.',
  output: Findings,
  tools: [searchNotes, readNote],
  maxTurns: 6,
});
const editor = defineAgent({
  name: 'editor',
  role: 'editor',
  model: MODELS.strong,
  system: 'Turn the findings into a brief of at most 80 words, naming the sources.',
  output: 'text',
});
const validator = defineAgent({
  name: 'validator',
  role: 'validator',
  model: MODELS.fast,
  system: 'Approve the brief only if every claim is backed by the findings.',
  output: VerdictSchema,
});

export const fieldResearch = defineTeam({
  name: 'field-research',
  description: 'researcher (tools: search_notes, read_note) → editor, checked by code and by a validator model',
  agents: [researcher, editor, validator],
  checks: {
    'cites-real-notes': (output) => {
      const { sources } = Findings.parse(output);
      const known = new Set(notes().map((n) => n.id));
      const unknown = sources.filter((s) => !known.has(s));
      if (sources.length === 0) return { approved: false, feedback: 'cite at least one note id as a source' };
      return unknown.length
        ? { approved: false, feedback: `no such notes: ${unknown.join(', ')}; cite ids from search_notes` }
        : { approved: true, feedback: 'every source exists' };
    },
  },
  topology: {
    kind: 'pipeline',
    steps: [
      { agent: 'researcher', gate: { kind: 'check', check: 'cites-real-notes', maxRevisions: 1 } },
      { agent: 'editor', gate: { kind: 'agent', agent: 'validator', maxRevisions: 1 } },
    ],
  },
});

export const fieldResearchScript: MessagesScript = {
  'field-research/researcher': [
    { delayMs: 300, toolUse: [{ name: 'search_notes', input: { query: 'retries crash paid' } }] },
    {
      delayMs: 300,
      toolUse: [
        { name: 'read_note', input: { id: 'retries' } },
        { name: 'read_note', input: { id: 'costs' } },
      ],
    },
    {
      delayMs: 300,
      json: {
        answer:
          'Temporal retries model calls with back-off and honours retry-after; a call whose completion is recorded is never repeated after a crash.',
        sources: ['retries', 'costs'],
      },
    },
  ],
  'field-research/editor': [
    {
      delayMs: 300,
      text: 'Retries belong to the orchestrator (retries): 429s and 529s are retried with back-off. And finished calls are not paid twice (costs): a crash resumes from the last recorded step.',
    },
  ],
  'field-research/validator': [
    { delayMs: 200, json: { approved: true, feedback: 'Both claims rest on the cited notes.' } },
  ],
};

import { z } from 'zod';
import { TeamRegistry, VerdictSchema, defineAgent, defineTeam, type AgentConfig } from '../../src/team/index.js';

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
const primary = defineAgent({ name: 'primary', role: 'writer', system: 'Write.', output: 'text', fallback: 'backup', ...fast });
const backup = defineAgent({ name: 'backup', role: 'writer', system: 'Write, simply.', output: 'text', ...fast });

export const reviewLoop = defineTeam({
  name: 'review-loop',
  agents: [drafter, reviewer],
  topology: { kind: 'pipeline', steps: [{ agent: 'drafter', gate: { kind: 'agent', agent: 'reviewer', maxRevisions: 2 } }] },
});

export const strictReview = defineTeam({
  name: 'strict-review',
  agents: [drafter, reviewer],
  topology: { kind: 'pipeline', steps: [{ agent: 'drafter', gate: { kind: 'agent', agent: 'reviewer', maxRevisions: 1, onExhausted: 'fail' } }] },
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
      String(output).split(/\s+/).length <= 5 ? { approved: true, feedback: 'short enough' } : { approved: false, feedback: 'use at most 5 words' },
  },
  topology: { kind: 'pipeline', steps: [{ agent: 'drafter', gate: { kind: 'check', check: 'short', maxRevisions: 3 } }] },
});

export const teams = [reviewLoop, strictReview, extractThenWrite, withFallback, wordLimit];
export const registry = new TeamRegistry(teams);

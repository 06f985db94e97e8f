/**
 * The teams the reliability harness runs: every example (one per topology, a hierarchy, an agent
 * with tools) and a team whose work waits for a person's approval, which the harness gives.
 */
import { defineAgent, defineTeam } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';
import { offlineScript, teams as exampleTeams } from '../examples/index.js';

const announcer = defineAgent({ name: 'announcer', role: 'writer', system: 'Write a one-line release announcement.', output: 'text' });

export const approvalTeam = defineTeam({
  name: 'reliability-approval',
  agents: [announcer],
  topology: { kind: 'pipeline', steps: [{ agent: 'announcer', approval: { gate: 'publish', approvers: ['ana'], timeout: '7d' } }] },
});

export const teams = [...exampleTeams, approvalTeam];

export const script: MessagesScript = {
  ...offlineScript,
  'reliability-approval/announcer': [{ text: 'Troupe 0.1: durable multi-agent runs on Temporal.' }],
};

import { MODELS, SwarmMoveSchema, defineAgent, defineTeam } from '../src/team/index.js';
import type { MessagesScript } from '../src/activities/index.js';

/** Swarm: investigators work an incident from a shared, pheromone-weighted board of leads. */
const investigator = (name: string, focus: string) =>
  defineAgent({
    name,
    role: 'investigator',
    model: MODELS.fast,
    system: `You investigate production incidents, focusing on ${focus}. Claim one lead, report what you found, propose follow-ups.`,
    output: SwarmMoveSchema,
  });

export const incidentSwarm = defineTeam({
  name: 'incident-swarm',
  description: 'three investigators on a shared board of leads',
  agents: [
    investigator('logs', 'logs and errors'),
    investigator('metrics', 'metrics and saturation'),
    investigator('changes', 'recent deploys and config changes'),
  ],
  topology: { kind: 'swarm', agents: ['logs', 'metrics', 'changes'], rounds: 6, evaporation: 0.2 },
  limits: { maxAgentCalls: 40 },
});

const move = (claim: string, result: string, complete: boolean, newTasks: string[] = [], promising: string[] = []) => ({
  delayMs: 500,
  json: { claim, result, complete, newTasks, promising },
});

export const incidentSwarmScript: MessagesScript = {
  'incident-swarm/logs': [
    move(
      't1',
      'Timeouts from the payments service started at 14:02.',
      false,
      ['Check payments service connection pool'],
      ['t1'],
    ),
    move('t2', 'Pool exhausted: 100/100 connections in use from 14:02.', true),
    move('', '', false),
  ],
  'incident-swarm/metrics': [
    move('t1', 'p99 latency of payments rose from 120 ms to 9 s at 14:02.', false, [], ['t1']),
    move('t3', 'The 14:00 deploy lowered the pool size from 400 to 100.', true),
    move('', '', false),
  ],
  'incident-swarm/changes': [
    move('t1', 'Deploy 4812 of payments went out at 14:00.', false, ['Diff the 14:00 deploy config']),
    move('t1', 'Root cause: deploy 4812 cut the DB pool to 100; roll back or raise the pool.', true),
    move('', '', false),
  ],
};

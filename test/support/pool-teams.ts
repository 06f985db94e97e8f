import { z } from 'zod';
import { defineAgent, defineTeam, defineTool, type AgentConfig } from '../../src/team/index.js';

/** Teams for worker pools, limits and shutdown, run by real `troupe worker` processes (test/cli/worker-*.test.ts). */
const quick: Pick<AgentConfig, 'timeout' | 'heartbeatTimeout' | 'retry'> = {
  timeout: '5s',
  heartbeatTimeout: '2s',
  retry: { maximumAttempts: 5, initialInterval: 200, backoffCoefficient: 1, maximumInterval: 200 },
};
const agent = (name: string, extra: Partial<AgentConfig> = {}) =>
  defineAgent({ name, role: name, system: `You are ${name}.`, output: 'text', ...quick, ...extra });

/** Three cheap agent calls in a row: the load many workers share. */
export const relay = defineTeam({
  name: 'relay',
  agents: [agent('first'), agent('second'), agent('third')],
  topology: { kind: 'pipeline', steps: [{ agent: 'first' }, { agent: 'second' }, { agent: 'third' }] },
});

/** Names the pool (TROUPE_TEST_POOL of the worker process) the call ran in. */
const whereAmI = defineTool({
  name: 'where_am_i',
  description: 'Names the worker pool this call runs in.',
  input: z.object({}),
  timeout: '5s',
  run: () => process.env['TROUPE_TEST_POOL'] ?? 'unnamed',
});

/** The team's agents run on the light pool; the thinker (and its tool) on the heavy one. */
export const weighted = defineTeam({
  name: 'weighted',
  taskQueue: 'pool-light',
  agents: [agent('scout'), agent('thinker', { taskQueue: 'pool-heavy', tools: [whereAmI] })],
  topology: { kind: 'pipeline', steps: [{ agent: 'scout' }, { agent: 'thinker' }] },
});

/** One call on a queue with a rate limit. */
export const limited = defineTeam({
  name: 'limited',
  agents: [agent('caller', { taskQueue: 'pool-limited' })],
  topology: { kind: 'pipeline', steps: [{ agent: 'caller' }] },
});

/** One slow call, for stopping a worker in the middle of it. */
export const slow = defineTeam({
  name: 'slow',
  agents: [agent('ponderer', { timeout: '40s' })],
  topology: { kind: 'pipeline', steps: [{ agent: 'ponderer' }] },
});

export const teams = [relay, weighted, limited, slow];

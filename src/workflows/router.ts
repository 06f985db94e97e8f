import { RouteSchema, type Route } from '../team/decisions.js';
import type { RunResult } from '../protocol/messages.js';
import { renderPrompt, summarise } from './runtime/prompt.js';
import { runTopology } from './runtime/team-run.js';

/**
 * Router: a (typically cheap) model classifies the input and sends it to exactly one specialist,
 * an agent or a sub-team. A route outside the list is sent back for repair.
 */
export async function router(input: unknown): Promise<RunResult> {
  return runTopology(input, 'router', async (team, topology) => {
    team.begin(topology.router);
    team.transcript.doing(`${topology.router} is routing`);
    const routes = topology.routes.map((r) => team.members.describe(r)).join('\n');
    const check = ({ route }: Route): string | undefined => {
      return topology.routes.includes(route) ? undefined : `unknown route "${route}": choose exactly one of ${topology.routes.join(', ')}`;
    };
    const call = await team.members.call(
      topology.router,
      renderPrompt({ instruction: `Send the task to exactly one of these specialists:\n${routes}`, task: team.task }),
      { about: `route: ${summarise(team.run.input)}`, check, schema: RouteSchema },
    );
    const { route, reason } = call.output;
    team.transcript.recordOutput({ ...call, output: { route, reason } }, route, { kind: 'route' });

    team.transcript.doing(`${route} is working`);
    const result = await team.members.call(route, renderPrompt({ instruction: 'Handle this task as the team\'s specialist for it.', task: team.task }), {
      about: `routed by ${topology.router}: ${summarise(team.run.input)}`,
    });
    team.transcript.recordOutput(result, 'user');
    team.transcript.record({ from: result.from, to: 'user', kind: 'result', content: result.output });
    return result.output;
  });
}

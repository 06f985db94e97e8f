import { ApplicationFailure } from '@temporalio/workflow';
import type { Route } from '../team/decisions.js';
import { FailureType } from '../team/errors.js';
import type { RunResult } from '../protocol/messages.js';
import { renderPrompt, summarise } from './runtime/prompt.js';
import { runTopology } from './runtime/team-run.js';

/**
 * Router: a (typically cheap) model classifies the input and sends it to exactly one specialist,
 * an agent or a sub-team. A route outside the list is sent back for repair. When the chosen
 * specialist is optional and fails for good, it is skipped and the router chooses again among the
 * routes left; with none left the run fails (NoMemberLeft).
 */
export async function router(input: unknown): Promise<RunResult> {
  return runTopology(input, 'router', async (team, topology) => {
    team.begin(topology.router);
    const failed: { route: string; reason: string }[] = [];
    for (;;) {
      const open = topology.routes.filter((r) => !failed.some((f) => f.route === r));
      if (open.length === 0) {
        const why = failed.map((f) => `${f.route}: ${f.reason}`).join('; ');
        throw ApplicationFailure.nonRetryable(
          `every route failed for good and was skipped (${why}): no specialist is left to take the task`,
          FailureType.NoMemberLeft,
        );
      }
      team.transcript.doing(`${topology.router} is routing`);
      const routes = open.map((r) => team.members.describe(r)).join('\n');
      const check = ({ route }: Route): string | undefined => {
        return open.includes(route) ? undefined : `unknown route "${route}": choose exactly one of ${open.join(', ')}`;
      };
      const skippedRoutes = failed.map((f) => ({
        label: `${f.route} could not take the task`,
        content: `it failed for good and was skipped: ${f.reason}`,
      }));
      const call = await team.members.call(
        topology.router,
        renderPrompt({
          instruction: `Send the task to exactly one of these specialists:\n${routes}`,
          task: team.task,
          data: skippedRoutes,
        }),
        {
          about: failed.length
            ? `route again (${failed.map((f) => f.route).join(', ')} failed): ${summarise(team.run.input)}`
            : `route: ${summarise(team.run.input)}`,
          check,
          reads: 'route',
        },
      );
      const { route, reason } = call.output;
      team.transcript.recordOutput({ ...call, output: { route, reason } }, route, { kind: 'route' });

      team.transcript.doing(`${route} is working`);
      const result = await team.members.call(
        route,
        renderPrompt({ instruction: "Handle this task as the team's specialist for it.", task: team.task }),
        {
          about: `routed by ${topology.router}: ${summarise(team.run.input)}`,
          skippable: 'since-patch',
        },
      );
      if (result.skipped !== undefined) {
        failed.push({ route, reason: result.skipped });
        continue;
      }
      team.transcript.recordOutput(result, 'user');
      team.transcript.record({ from: result.from, to: 'user', kind: 'result', content: result.output });
      return result.output;
    }
  });
}

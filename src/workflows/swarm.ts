import { ApplicationFailure } from '@temporalio/workflow';
import type { SwarmMove } from '../team/decisions.js';
import { FailureType } from '../team/errors.js';
import type { RunResult } from '../protocol/messages.js';
import { applyMoves, newBoard, openTasks, type Blackboard } from './swarm-blackboard.js';
import { LimitReached } from './runtime/limit-reached.js';
import { asText, renderPrompt, summarise } from './runtime/prompt.js';
import { runTopology } from './runtime/team-run.js';

/**
 * Swarm: agents act in parallel rounds with no central coordinator, guided by a shared blackboard
 * of open tasks, claims and results. Agents deposit pheromone-like weight on promising tasks; it
 * evaporates each round, and each agent is shown the heaviest open tasks. Moves are merged in agent
 * order, so replay is exact. The run converges when no open task is left or a round changes
 * nothing; the round limit ends it with a flagged partial result. An optional agent that fails for
 * good is skipped and sits out the rest; with no agent left the run fails (NoMemberLeft).
 */
export async function swarm(input: unknown): Promise<RunResult> {
  return runTopology(input, 'swarm', async (team, topology) => {
    const board = team.carried<Blackboard>() ?? newBoard(asText(team.run.input));
    team.begin('board');

    for (;;) {
      const open = openTasks(board);
      if (open.length === 0) break;
      if (board.round >= topology.rounds) throw new LimitReached('maxRounds');
      board.round += 1;
      const round = board.round;
      const acting = topology.agents.filter((a) => !board.sittingOut?.some((s) => s.agent === a));
      team.transcript.share(board);
      team.transcript.doing(`round ${round}: ${open.length} open task(s), ${acting.length} agent(s) at work`);

      const visible = open.slice(0, topology.visibleTasks);
      const visibleIds = new Set(visible.map((t) => t.id));
      const check = ({ claim }: SwarmMove): string | undefined => {
        return claim === '' || visibleIds.has(claim)
          ? undefined
          : `claim "${claim}" is not an open task on the board: claim one of ${[...visibleIds].join(', ')}, or "" to pass`;
      };
      const boardView = visible.map((t) => ({
        id: t.id,
        task: t.description,
        weight: t.weight,
        contributions: t.contributions,
        latest: t.results.at(-1)?.result ?? null,
      }));
      const calls = await Promise.all(
        acting.map((agent) =>
          team.members.call(
            agent,
            renderPrompt({
              instruction:
                'Pick one open task from the board to work on (or pass), contribute to it, propose follow-up tasks, and mark the tasks you find most promising.',
              task: team.task,
              data: [{ label: `The board, round ${round} (heaviest first)`, content: boardView }],
            }),
            {
              about: `round ${round}: ${visible.length} open task(s), top ${visible[0]?.id ?? '-'}: ${summarise(visible[0]?.description ?? '', 60)}`,
              check,
              reads: 'swarm-move',
              skippable: 'since-patch',
            },
          ),
        ),
      );
      const skipped = calls.flatMap((call, i) =>
        call.skipped === undefined ? [] : [{ agent: acting[i] ?? call.from, reason: call.skipped }],
      );
      if (skipped.length) board.sittingOut = [...(board.sittingOut ?? []), ...skipped];
      if (skipped.length === calls.length) {
        const why = (board.sittingOut ?? []).map((s) => `${s.agent}: ${s.reason}`).join('; ');
        throw ApplicationFailure.nonRetryable(
          `every swarm agent failed for good and was skipped (${why}): no one is left to work the board`,
          FailureType.NoMemberLeft,
        );
      }
      const kept = calls
        .map((call, i) => ({ call, agent: acting[i] ?? call.from }))
        .filter(({ call }) => call.skipped === undefined);
      const moves = kept.map(({ call, agent }) => ({ agent, move: call.output }));
      for (const { call } of kept) team.transcript.recordOutput(call, 'board', { kind: 'move', round });
      const effective = applyMoves(board, moves, topology);
      team.transcript.share(board);
      if (effective === 0) break; // every agent passed: nothing left the swarm can do
      const long = team.continueIfLong(board);
      if (long) await long;
    }

    const output = {
      rounds: board.round,
      completed: board.tasks
        .filter((t) => t.status === 'done')
        .map((t) => ({ id: t.id, task: t.description, results: t.results.map((r) => r.result) })),
      open: openTasks(board).map((t) => ({ id: t.id, task: t.description, weight: t.weight })),
    };
    team.transcript.record({ from: 'board', to: 'user', kind: 'result', content: output });
    return output;
  });
}

import { ApplicationFailure } from '@temporalio/workflow';
import type { Argument } from '../team/decisions.js';
import { FailureType } from '../team/errors.js';
import type { RunResult } from '../protocol/messages.js';
import { renderPrompt, summarise } from './runtime/prompt.js';
import { runTopology } from './runtime/team-run.js';
import { canonical, majority } from './runtime/vote.js';

interface DebateState {
  round: number;
  /** Each debater's argument in the latest round, in debater order. */
  arguments: { debater: string; argument: Argument }[];
  consensus: boolean;
  /** Optional debaters that failed for good: skipped, they sit out the rest of the debate. */
  dropped?: { debater: string; reason: string }[];
}

/**
 * Debate: debaters (on their own models and prompts) argue in rounds, all at once, each round
 * seeing the others' previous arguments. It can stop early on consensus. A judge decides, or the
 * final positions are counted (majority vote), so the two can be compared on the same question.
 * An optional debater that fails for good is skipped and sits out the rest: the others go on, and
 * with one left the arguing ends; with none left the run fails (NoMemberLeft).
 */
export async function debate(input: unknown): Promise<RunResult> {
  return runTopology(input, 'debate', async (team, topology) => {
    const state = team.carried<DebateState>() ?? { round: 0, arguments: [], consensus: false };
    team.begin('debaters');

    while (state.round < topology.rounds && !state.consensus) {
      state.round += 1;
      const round = state.round;
      const previous = state.arguments;
      const debating = topology.debaters.filter((d) => !state.dropped?.some((x) => x.debater === d));
      team.transcript.share(state);
      team.transcript.doing(`round ${round}/${topology.rounds}: ${debating.join(', ')} are arguing`);
      const calls = await Promise.all(
        debating.map((debater) => {
          const others = previous.filter((p) => p.debater !== debater);
          const instruction =
            round === 1
              ? 'State your position on the task and argue for it.'
              : `Round ${round}: answer the other debaters' arguments from the previous round. Keep your position if it holds, change it if they convinced you.`;
          const data = others.map((o) => ({
            label: `${o.debater}'s argument in round ${round - 1}`,
            content: o.argument,
          }));
          const about =
            round === 1
              ? `opening: ${summarise(team.run.input)}`
              : `round ${round}: answer ${others.map((o) => o.debater).join(', ')}`;
          return team.members.call(debater, renderPrompt({ instruction, task: team.task, data }), {
            about,
            reads: 'argument',
            skippable: 'since-patch',
          });
        }),
      );
      const skipped = calls.flatMap((call, i) =>
        call.skipped === undefined ? [] : [{ debater: debating[i] ?? call.from, reason: call.skipped }],
      );
      const kept = calls
        .map((call, i) => ({ call, debater: debating[i] ?? call.from }))
        .filter(({ call }) => call.skipped === undefined);
      if (skipped.length) state.dropped = [...(state.dropped ?? []), ...skipped];
      if (kept.length === 0) {
        const why = (state.dropped ?? []).map((d) => `${d.debater}: ${d.reason}`).join('; ');
        throw ApplicationFailure.nonRetryable(
          `every debater failed for good and was skipped (${why}): no one is left to argue`,
          FailureType.NoMemberLeft,
        );
      }
      state.arguments = kept.map(({ call, debater }) => ({ debater, argument: call.output }));
      for (const { call } of kept) team.transcript.recordOutput(call, 'debaters', { kind: 'argument', round });
      // One debater left is no consensus: there is no one to agree with.
      state.consensus =
        topology.stopOnConsensus &&
        state.arguments.length > 1 &&
        new Set(state.arguments.map((a) => canonical(a.argument.position))).size === 1;
      team.transcript.share(state);
      if (kept.length < 2 && round < topology.rounds) {
        team.transcript.warnings.push(
          `the debate ended after round ${round}: only ${kept.map((k) => k.debater).join(', ')} is left to argue`,
        );
        break;
      }
      const long = team.continueIfLong(state);
      if (long) await long;
    }

    const positions = state.arguments.map((a) => ({ debater: a.debater, position: a.argument.position }));
    if (topology.decide.by === 'vote') {
      const vote = majority(positions.map((p) => p.position));
      const decision = {
        decision: vote.winner ?? '',
        votes: vote.votes,
        of: vote.of,
        rounds: state.round,
        consensus: state.consensus,
        positions,
      };
      team.transcript.record({ from: 'vote', to: 'user', kind: 'judgment', content: decision });
      return decision;
    }
    const judge = topology.decide.agent;
    team.transcript.doing(`${judge} is judging`);
    const call = await team.members.call(
      judge,
      renderPrompt({
        instruction: 'Judge the debate: decide which answer the arguments support best, and say why.',
        task: team.task,
        data: state.arguments.map((a) => ({
          label: `${a.debater}'s final argument (round ${state.round})`,
          content: a.argument,
        })),
      }),
      {
        about: `judge ${state.round} round(s) between ${state.arguments.map((a) => a.debater).join(', ')}`,
        reads: 'judgment',
      },
    );
    const judgment = call.output;
    const decision = { ...judgment, rounds: state.round, consensus: state.consensus, positions };
    team.transcript.recordOutput({ ...call, output: decision }, 'user', { kind: 'judgment' });
    return decision;
  });
}

import { ArgumentSchema, JudgmentSchema, type Argument } from '../team/decisions.js';
import type { RunResult } from '../protocol/messages.js';
import { renderPrompt, summarise } from './runtime/prompt.js';
import { runTopology } from './runtime/team-run.js';
import { canonical, majority } from './runtime/vote.js';

interface DebateState {
  round: number;
  /** Each debater's argument in the latest round, in debater order. */
  arguments: { debater: string; argument: Argument }[];
  consensus: boolean;
}

/**
 * Debate: debaters (on their own models and prompts) argue in rounds, all at once, each round
 * seeing the others' previous arguments. It can stop early on consensus. A judge decides, or the
 * final positions are counted (majority vote), so the two can be compared on the same question.
 */
export async function debate(input: unknown): Promise<RunResult> {
  return runTopology(input, 'debate', async (team, topology) => {
    const state = team.carried<DebateState>() ?? { round: 0, arguments: [], consensus: false };
    team.begin('debaters');

    while (state.round < topology.rounds && !state.consensus) {
      state.round += 1;
      const round = state.round;
      const previous = state.arguments;
      team.transcript.share(state);
      team.transcript.doing(`round ${round}/${topology.rounds}: ${topology.debaters.join(', ')} are arguing`);
      const calls = await Promise.all(
        topology.debaters.map((debater) => {
          const others = previous.filter((p) => p.debater !== debater);
          const instruction =
            round === 1
              ? 'State your position on the task and argue for it.'
              : `Round ${round}: answer the other debaters' arguments from the previous round. Keep your position if it holds, change it if they convinced you.`;
          const data = others.map((o) => ({ label: `${o.debater}'s argument in round ${round - 1}`, content: o.argument }));
          const about = round === 1 ? `opening: ${summarise(team.run.input)}` : `round ${round}: answer ${others.map((o) => o.debater).join(', ')}`;
          return team.members.call(debater, renderPrompt({ instruction, task: team.task, data }), { about, schema: ArgumentSchema });
        }),
      );
      state.arguments = calls.map((call, i) => ({ debater: topology.debaters[i] ?? call.from, argument: call.output }));
      for (const call of calls) team.transcript.recordOutput(call, 'debaters', { kind: 'argument', round });
      state.consensus = topology.stopOnConsensus && new Set(state.arguments.map((a) => canonical(a.argument.position))).size === 1;
      team.transcript.share(state);
      await team.continueIfLong(state);
    }

    const positions = state.arguments.map((a) => ({ debater: a.debater, position: a.argument.position }));
    if (topology.decide.by === 'vote') {
      const vote = majority(positions.map((p) => p.position));
      const decision = { decision: vote.winner ?? '', votes: vote.votes, of: vote.of, rounds: state.round, consensus: state.consensus, positions };
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
        data: state.arguments.map((a) => ({ label: `${a.debater}'s final argument (round ${state.round})`, content: a.argument })),
      }),
      { about: `judge ${state.round} round(s) between ${topology.debaters.join(', ')}`, schema: JudgmentSchema },
    );
    const judgment = call.output;
    const decision = { ...judgment, rounds: state.round, consensus: state.consensus, positions };
    team.transcript.recordOutput({ ...call, output: decision }, 'user', { kind: 'judgment' });
    return decision;
  });
}

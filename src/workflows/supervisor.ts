import type { SupervisorDecision } from '../team/decisions.js';
import type { RunResult } from '../protocol/messages.js';
import { LimitReached } from './runtime/limit-reached.js';
import type { MemberResult } from './runtime/member-result.js';
import { renderPrompt, summarise } from './runtime/prompt.js';
import { runTopology } from './runtime/team-run.js';

interface SupervisorState {
  round: number;
  /** What the workers returned in the latest round, for the supervisor's next decision. */
  results: { worker: string; task: string; output: unknown }[];
}

/**
 * Supervisor-worker: each round the supervisor assigns sub-tasks to workers (agents or sub-teams,
 * which then work in parallel) or finishes with the answer. A decision naming an unknown worker is
 * sent back for repair; the round limit ends the run with a flagged partial result. An optional
 * worker that fails for good is skipped: the supervisor is told why it has no result. Hierarchies
 * are supervisors whose workers are teams.
 */
export async function supervisor(input: unknown): Promise<RunResult> {
  return runTopology(input, 'supervisor', async (team, topology) => {
    const state = team.carried<SupervisorState>() ?? { round: 0, results: [] };
    team.begin(topology.supervisor);
    const roster = topology.workers.map((w) => team.members.describe(w)).join('\n');
    const check = (decision: SupervisorDecision): string | undefined => {
      if (!decision.done && decision.assignments.length === 0)
        return 'assign at least one task, or set done: true with the final answer';
      const unknown = decision.assignments.filter((a) => !topology.workers.includes(a.worker)).map((a) => a.worker);
      return unknown.length
        ? `unknown worker(s) ${unknown.map((w) => `"${w}"`).join(', ')}: assign only to ${topology.workers.join(', ')}`
        : undefined;
    };

    for (;;) {
      if (state.round >= topology.maxRounds) throw new LimitReached('maxRounds');
      state.round += 1;
      const round = state.round;
      team.transcript.share(state);
      team.transcript.doing(`round ${round}: ${topology.supervisor} is deciding`);
      const prompt = renderPrompt({
        instruction: `You supervise these workers:\n${roster}\nAssign sub-tasks to workers (they work in parallel), or finish with the final answer. This is round ${round} of at most ${topology.maxRounds}.`,
        task: team.task,
        data: state.results.map((r) => ({ label: `Result from ${r.worker} for "${r.task}"`, content: r.output })),
      });
      const about =
        round === 1 ? `plan: ${summarise(team.run.input)}` : `round ${round}: review ${state.results.length} result(s)`;
      const call = await team.members.call(topology.supervisor, prompt, { about, check, reads: 'supervisor' });
      const decision = call.output;
      team.transcript.recordOutput({ ...call, output: decision }, decision.done ? 'user' : 'workers', {
        kind: 'decision',
        round,
      });
      if (decision.done) {
        team.transcript.record({
          from: topology.supervisor,
          to: 'user',
          kind: 'result',
          content: decision.answer,
          round,
        });
        return decision.answer;
      }

      for (const a of decision.assignments)
        team.transcript.record({ from: topology.supervisor, to: a.worker, kind: 'assignment', content: a.task, round });
      team.transcript.doing(`round ${round}: ${decision.assignments.map((a) => a.worker).join(', ')} at work`);
      const results = await Promise.all(
        decision.assignments.map((a) =>
          team.members.call(a.worker, renderPrompt({ instruction: a.task, task: team.task }), {
            about: `from ${topology.supervisor}: ${a.task}`,
            skippable: 'since-patch',
          }),
        ),
      );
      for (const result of results)
        if (result.skipped === undefined) team.transcript.recordOutput(result, topology.supervisor, { round });
      // An optional worker that failed for good is skipped: the supervisor is told, and decides what to do without its result.
      state.results = decision.assignments.map((a, i) => ({
        worker: a.worker,
        task: a.task,
        output: reported(results[i]),
      }));
      const long = team.continueIfLong(state);
      if (long) await long;
    }
  });
}

/** What the supervisor is shown of a worker's result: its output, or why it has none. */
function reported(result: MemberResult | undefined): unknown {
  return result?.skipped === undefined
    ? result?.output
    : `(no result: ${result.from} failed for good and was skipped: ${result.skipped})`;
}

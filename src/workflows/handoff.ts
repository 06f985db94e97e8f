import type { Handoff } from '../team/decisions.js';
import type { RunResult } from '../protocol/messages.js';
import { LimitReached } from './runtime/limit-reached.js';
import { renderPrompt, summarise } from './runtime/prompt.js';
import { runTopology } from './runtime/team-run.js';

interface HandoffState {
  active: string;
  handoffs: number;
  /** The notes passed along so far, oldest first (the latest few are shown to the active agent). */
  notes: { from: string; to: string; note: string }[];
  /** Optional agents that failed for good when handed the task: skipped, no one hands to them again. */
  dropped?: { agent: string; reason: string }[];
}

/**
 * Handoff swarm: one agent is active at a time; it answers, or hands control to a named peer with
 * a note. A handoff to an unknown peer is sent back for repair; too many handoffs end the run with
 * a flagged partial result. An optional agent that fails for good when handed the task is skipped:
 * the task goes back to the agent that handed it over, which answers or hands it to another peer.
 */
export async function handoff(input: unknown): Promise<RunResult> {
  return runTopology(input, 'handoff', async (team, topology) => {
    const state = team.carried<HandoffState>() ?? { active: topology.entry, handoffs: 0, notes: [] };
    team.begin(topology.entry);
    const peers = (active: string) =>
      topology.agents.filter((a) => a !== active && !state.dropped?.some((d) => d.agent === a));

    for (;;) {
      const active = state.active;
      team.transcript.share(state);
      team.transcript.doing(`${active} is active (${state.handoffs} handoff(s) so far)`);
      const check = ({ handoffTo }: Handoff): string | undefined => {
        return handoffTo === '' || peers(active).includes(handoffTo)
          ? undefined
          : `cannot hand off to "${handoffTo}": choose one of ${peers(active).join(', ')}, or "" to answer yourself`;
      };
      const call = await team.members.call(
        active,
        renderPrompt({
          instruction: `Answer the task yourself, or hand it to the peer best placed to answer:\n${peers(active)
            .map((p) => team.members.describe(p))
            .join('\n')}`,
          task: team.task,
          data: state.notes.slice(-5).map((n) => ({ label: `Note from ${n.from} to ${n.to}`, content: n.note })),
        }),
        // Skippable only when someone handed it the task: the entry agent has no one to give it back to.
        {
          about: state.notes.length
            ? `from ${state.notes.at(-1)?.from}: ${summarise(state.notes.at(-1)?.note)}`
            : `task: ${summarise(team.run.input)}`,
          check,
          reads: 'handoff',
          skippable: handedBy(state) !== undefined && 'since-patch',
        },
      );
      if (call.skipped !== undefined) {
        const back = handedBy(state) as string;
        state.dropped = [...(state.dropped ?? []), { agent: active, reason: call.skipped }];
        state.notes.push({
          from: active,
          to: back,
          note: `${active} could not take the task (it failed for good and was skipped: ${call.skipped}); answer it yourself or hand it to another peer`,
        });
        state.active = back;
        continue;
      }
      const decision = call.output;
      if (decision.handoffTo === '') {
        team.transcript.recordOutput({ ...call, output: decision.answer }, 'user');
        team.transcript.record({ from: active, to: 'user', kind: 'result', content: decision.answer });
        return decision.answer;
      }
      team.transcript.recordOutput({ ...call, output: decision }, decision.handoffTo, {
        kind: 'handoff',
        round: state.handoffs + 1,
      });
      if (state.handoffs >= topology.maxHandoffs) throw new LimitReached('maxRounds');
      state.handoffs += 1;
      state.notes.push({ from: active, to: decision.handoffTo, note: decision.answer });
      if (state.notes.length > 20) state.notes.splice(0, state.notes.length - 20);
      state.active = decision.handoffTo;
      const long = team.continueIfLong(state);
      if (long) await long;
    }
  });
}

/** Who handed the active agent the task (and is still in play): where the task goes back if the agent is skipped. */
function handedBy(state: HandoffState): string | undefined {
  const note = state.notes.findLast((n) => n.to === state.active && n.from !== state.active);
  return note && !state.dropped?.some((d) => d.agent === note.from) ? note.from : undefined;
}

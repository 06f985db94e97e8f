import type { AgentCallResult, ToolOutcome } from '../../../activities/index.js';
import { FailureType } from '../../../team/errors.js';
import type { DecisionName } from '../../../team/decisions.js';
import type { AgentSpec } from '../../../team/spec.js';
import { agentInCall } from '../../../protocol/agent-ref.js';
import type { RunSpec } from '../../../protocol/run-spec.js';
import { callNeed, stopAtDeadline, type CallNeed } from '../call-bounds.js';
import { summarise } from '../prompt.js';
import { objection } from '../repair.js';
import type { AgentCall, CallOptions, Output } from './call-options.js';
import type { AgentActivities, CallStamp, ModelAsking, ModelReply } from './model-asking.js';
import type { TurnOutcome } from './turn-outcome.js';

/**
 * An agent without tools answers in one `runAgent` activity; a repair asks again with the refused
 * answer and the problem, in a call of its own.
 */
export class OneShot<N extends DecisionName | undefined> implements ModelAsking<N> {
  readonly maxTurns = Number.POSITIVE_INFINITY;
  private repair: { previousText: string; problem: string } | undefined;

  constructor(
    private readonly run: RunSpec,
    private readonly prompt: string,
    private readonly options: CallOptions<N>,
    private readonly parts: { activities: AgentActivities },
  ) {}

  need(agent: AgentSpec): CallNeed {
    return callNeed(agent, [this.prompt, this.repair, this.options.handoff]);
  }

  ask(
    agent: AgentSpec,
    _turn: number,
    repairs: number,
    timeLeft: number | undefined,
    stamp: CallStamp,
  ): Promise<AgentCallResult> {
    const { runAgent } = this.parts.activities;
    const { about, reads, handoff } = this.options;
    const repair = this.repair;
    const repairNote = repair ? `[repair ${repairs}] ` : '';
    return runAgent.executeWithOptions(
      {
        summary: `${agent.name} (${agent.role}, ${agent.model}): ${repairNote}${summarise(about, 100)}`,
        ...stopAtDeadline(agent, this.run.team, timeLeft),
      },
      [
        {
          team: this.run.team.name,
          agent: agentInCall(agent),
          prompt: this.prompt,
          ...(repair ? { repair } : {}),
          ...(handoff ? { handoff } : {}),
          ...(reads ? { reads } : {}),
          turn: stamp.turn,
          ...(stamp.feed ? { feed: stamp.feed } : {}),
        },
      ],
    );
  }

  read(reply: ModelReply): TurnOutcome | Promise<TurnOutcome> {
    const result = reply as AgentCallResult;
    const objecting = objection(result, this.options.reads, this.options.check);
    if (objecting instanceof Promise) return objecting.then((refused) => outcome(result, refused));
    return outcome(result, objecting);
  }

  repairing(outcome: Extract<TurnOutcome, { kind: 'repair' }>): void {
    this.repair = { previousText: outcome.text, problem: outcome.problem };
  }

  toolsDone(_results: ToolOutcome[]): void {
    throw new Error('an agent without tools has no tool results');
  }

  result({ result }: Extract<TurnOutcome, { kind: 'answer' }>, agent: AgentSpec): AgentCall<Output<N>> {
    return { ...result, output: result.output as Output<N>, agent: agent.name };
  }
}

function outcome(result: AgentCallResult, refused: string | undefined): TurnOutcome {
  return refused === undefined
    ? { kind: 'answer', result }
    : { kind: 'repair', problem: refused, type: FailureType.InvalidDecision, text: result.text };
}

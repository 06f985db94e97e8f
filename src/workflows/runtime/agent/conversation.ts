import type { ModelTurnResult, ToolOutcome } from '../../../activities/index.js';
import { FailureType } from '../../../team/errors.js';
import type { DecisionName } from '../../../team/decisions.js';
import type { AgentSpec } from '../../../team/spec.js';
import { agentInCall } from '../../../protocol/agent-ref.js';
import { ZERO_USAGE, addUsage, type Usage } from '../../../protocol/usage.js';
import type { RunSpec } from '../../../protocol/run-spec.js';
import { callNeed, nextTurnNeed, stopAtDeadline, type CallNeed } from '../call-bounds.js';
import { summarise } from '../prompt.js';
import { objection } from '../repair.js';
import type { ToolBox } from '../tools/tool-box.js';
import type { AgentCall, CallOptions, Output } from './call-options.js';
import type { AgentActivities, CallStamp, ModelAsking, ModelReply } from './model-asking.js';
import type { TurnOutcome } from './turn-outcome.js';

/**
 * An agent with tools works in a conversation: each `runModelTurn` activity continues it (stored by
 * claim-check key, so history grows with turns, not with their text) with the previous turn's tool
 * results or a repair request. Only the first turn carries the agent's spec and the task.
 */
export class Conversation<N extends DecisionName | undefined> implements ModelAsking<N> {
  readonly maxTurns: number;
  private conversation: string | undefined;
  private toolResults: ToolOutcome[] | undefined;
  private repair: { problem: string } | undefined;
  /** What every turn so far cost, and the last one (the next turn's input is at most its whole). */
  private usage: Usage = ZERO_USAGE;
  private last: Usage = ZERO_USAGE;

  constructor(
    private readonly run: RunSpec,
    agent: AgentSpec,
    private readonly prompt: string,
    private readonly options: CallOptions<N>,
    private readonly parts: { tools: ToolBox; activities: AgentActivities },
  ) {
    this.maxTurns = agent.maxTurns;
  }

  /** The first turn's most counts the task and the tools' definitions; later ones the conversation so far, as the API counted it. */
  need(agent: AgentSpec, turn: number): CallNeed | Promise<CallNeed> {
    if (turn > 1) return nextTurnNeed(agent, this.last, this.toolResults, this.repair);
    const need = callNeed(agent, [this.prompt, this.options.handoff]);
    const tools = this.parts.tools.estimate(agent);
    if (typeof tools === 'number') return tools === 0 ? need : { ...need, inputTokens: need.inputTokens + tools };
    return tools.then((more) => ({ ...need, inputTokens: need.inputTokens + more }));
  }

  ask(
    agent: AgentSpec,
    turn: number,
    _repairs: number,
    timeLeft: number | undefined,
    stamp: CallStamp,
  ): Promise<ModelTurnResult> {
    const { runModelTurn } = this.parts.activities;
    const { about, reads, handoff } = this.options;
    const { conversation, toolResults, repair } = this;
    const input = {
      team: this.run.team.name,
      agent: { name: agent.name, role: agent.role, model: agent.model },
      ...(turn === 1 ? { first: { spec: agentInCall(agent), prompt: this.prompt } } : {}),
      ...(conversation ? { conversation } : {}),
      ...(toolResults ? { toolResults } : {}),
      ...(repair ? { repair } : {}),
      ...(handoff && turn === 1 ? { handoff } : {}),
      ...(reads ? { reads } : {}),
      turn: stamp.turn,
      ...(stamp.feed ? { feed: stamp.feed } : {}),
    };
    return runModelTurn.executeWithOptions(
      {
        summary: `${agent.name} (${agent.role}, ${agent.model}): turn ${turn}${repair ? ' [repair]' : ''}: ${summarise(about, 90)}`,
        ...stopAtDeadline(agent, this.run.team, timeLeft),
      },
      [input],
    );
  }

  read(reply: ModelReply): TurnOutcome | Promise<TurnOutcome> {
    const result = reply as ModelTurnResult;
    this.usage = addUsage(this.usage, result.usage);
    this.last = result.usage;
    [this.conversation, this.repair] = [result.conversation, undefined];
    if (result.toolUses.length > 0) return { kind: 'tool-calls', uses: result.toolUses };
    const objecting = objection(result, this.options.reads, this.options.check);
    if (objecting instanceof Promise) return objecting.then((refused) => outcome(result, refused));
    return outcome(result, objecting);
  }

  repairing(outcome: Extract<TurnOutcome, { kind: 'repair' }>, usage: Usage | undefined): void {
    if (usage) {
      // The worker refused the answer: its cost and the conversation up to it come with the refusal.
      this.usage = addUsage(this.usage, usage);
      this.last = usage;
      this.conversation = outcome.conversation ?? this.conversation;
    }
    [this.toolResults, this.repair] = [undefined, { problem: outcome.problem }];
  }

  toolsDone(results: ToolOutcome[]): void {
    this.toolResults = results;
  }

  result({ result }: Extract<TurnOutcome, { kind: 'answer' }>, agent: AgentSpec): AgentCall<Output<N>> {
    return {
      output: result.output as Output<N>,
      text: result.text,
      usage: this.usage,
      model: result.model,
      stopReason: result.stopReason,
      agent: agent.name,
    };
  }
}

function outcome(result: ModelTurnResult, refused: string | undefined): TurnOutcome {
  return refused === undefined
    ? {
        kind: 'answer',
        result: {
          output: result.output,
          text: result.text,
          usage: result.usage,
          model: result.model,
          stopReason: result.stopReason,
        },
      }
    : { kind: 'repair', problem: refused, type: FailureType.InvalidDecision, text: result.text };
}

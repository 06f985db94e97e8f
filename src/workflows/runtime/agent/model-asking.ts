import type { Activities, AgentCallResult, ModelTurnResult, ToolOutcome } from '../../../activities/index.js';
import type { ActivityInterfaceFor } from '@temporalio/workflow';
import type { DecisionName } from '../../../team/decisions.js';
import type { AgentSpec } from '../../../team/spec.js';
import type { FeedTarget } from '../../../protocol/feed-interface.js';
import type { Usage } from '../../../protocol/usage.js';
import type { CallNeed } from '../call-bounds.js';
import type { AgentCall, CallOptions, Output } from './call-options.js';
import type { TurnOutcome } from './turn-outcome.js';

/** An agent's model activities, proxied with its own timeouts and retry policy. */
export type AgentActivities = ActivityInterfaceFor<Activities>;

/** What the loop gives each model call: its turn's number in the run, and where it streams what it writes. */
export interface CallStamp {
  /** Which of the agent's model turns in the run this is (1, 2, ...): the offline scripts answer by it. */
  turn: number;
  feed: FeedTarget | undefined;
}

/** A model's reply to one turn: a one-shot call's answer, or a turn of a conversation with tools. */
export type ModelReply = AgentCallResult | ModelTurnResult;

/**
 * How an agent call asks the model, turn after turn: in one call with no tools (`OneShot`), or in a
 * stored conversation with tools (`Conversation`). The agent loop is the same for both; only what
 * each turn sends and how its reply reads differ. Holds the call's state between turns.
 */
export interface ModelAsking<N extends DecisionName | undefined> {
  /** The most turns the call may take (a one-shot call is bounded by its repairs alone). */
  readonly maxTurns: number;
  /** The most this turn may spend, asked only under a token or USD cap (a promise when the worker must be asked). */
  need(agent: AgentSpec, turn: number): CallNeed | Promise<CallNeed>;
  /** Schedules the turn's activity. Not async: the loop awaits the activity's own promise. */
  ask(
    agent: AgentSpec,
    turn: number,
    repairs: number,
    timeLeft: number | undefined,
    stamp: CallStamp,
  ): Promise<ModelReply>;
  /** What the reply comes to (a promise only for an older worker's answer, checked here). */
  read(reply: ModelReply, options: CallOptions<N>): TurnOutcome | Promise<TurnOutcome>;
  /** Before asking again for a repair: what the next turn carries. `usage`: what the refused answer cost, when the worker refused it. */
  repairing(outcome: Extract<TurnOutcome, { kind: 'repair' }>, usage: Usage | undefined): void;
  /** The tools' results, for the next turn. */
  toolsDone(results: ToolOutcome[]): void;
  /** What the call returns once the answer is usable. */
  result(answer: Extract<TurnOutcome, { kind: 'answer' }>, agent: AgentSpec): AgentCall<Output<N>>;
}

import { ActivityFailure, ApplicationFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.js';
import { agentActivityOptions } from '../agent-options.js';
import { FailureType } from '../../../team/errors.js';
import type { DecisionName } from '../../../team/decisions.js';
import type { AgentSpec } from '../../../team/spec.js';
import { ZERO_USAGE, type Usage } from '../../../protocol/usage.js';
import type { RunSpec } from '../../../protocol/run-spec.js';
import { cutByTimeCap, timedOut, type CallNeed } from '../call-bounds.js';
import { withBudgetModel, type Ledger } from '../ledger/index.js';
import { LimitReached } from '../limit-reached.js';
import type { Feed } from '../feed/feed.js';
import type { ModelTurns } from '../model-turns.js';
import { isPatched } from '../patches.js';
import { invalidOutput, unusable } from '../repair.js';
import type { Spending } from '../spending.js';
import type { ToolBox } from '../tools/tool-box.js';
import type { AgentCall, CallOptions, Output } from './call-options.js';
import { Conversation } from './conversation.js';
import type { AgentActivities, ModelAsking, ModelReply } from './model-asking.js';
import { OneShot } from './one-shot.js';
import type { TurnOutcome } from './turn-outcome.js';

/** A call's last text (what its activity had not sent yet) and its end, into the feed. */
function finished(feed: Feed, path: string[], turn: number, reply: ModelReply): void {
  const tail = reply.feedTail;
  if (tail?.text) feed.emit({ type: 'text', path, turn, attempt: tail.attempt, text: tail.text });
  feed.emit({
    type: 'call-finished',
    path,
    turn,
    stopReason: reply.stopReason,
    outputTokens: reply.usage.outputTokens,
  });
}

/**
 * The one path of every agent call: a loop of model turns, each an activity with the agent's own
 * timeouts and retry policy and a readable summary in the Temporal UI. Each turn comes to an
 * outcome (see TurnOutcome): an answer ends the call, tool calls run and feed the next turn, an
 * unusable answer is repaired a bounded number of times, a failure passes to the agent's
 * fallback, a limit stops the run. An agent without tools is the same loop with no tool turns.
 * Every turn is charged to the ledger, in one place.
 */
export class AgentLoop {
  private readonly agents: ReadonlyMap<string, AgentSpec>;
  private readonly activities = new Map<string, AgentActivities>();

  constructor(
    private readonly run: RunSpec,
    private readonly parts: { ledger: Ledger; spending: Spending; tools: ToolBox; turns: ModelTurns; feed: Feed },
  ) {
    this.agents = new Map(run.team.agents.map((agent) => [agent.name, agent]));
  }

  has(name: string): boolean {
    return this.agents.has(name);
  }

  /** An optional agent (a critic, a validator) may be skipped when it fails for good. */
  isOptional(name: string): boolean {
    return this.agents.get(name)?.optional === true;
  }

  /**
   * Calls the agent, and its fallback if it has one and fails for good. Chained, not an async
   * function, for fewer promises (Temporal captures a stack for each). The recorded histories
   * (test/histories) prove members running at once still issue their commands in the same order.
   */
  call<N extends DecisionName | undefined>(
    agentName: string,
    prompt: string,
    options: CallOptions<N>,
  ): Promise<AgentCall<Output<N>>> {
    const agent = this.agents.get(agentName);
    if (!agent) return Promise.reject(this.noAgent(agentName));
    // Always chained, even without a fallback: a failure then reaches the topology after as many
    // microtask steps as a fallback's would, so members failing at once keep their recorded order.
    return this.loop(agent, prompt, options).catch((error: unknown) => {
      if (agent.fallback === undefined || isCancellation(error) || error instanceof LimitReached) throw error;
      return this.loop(this.agent(agent.fallback), prompt, {
        ...options,
        about: `(fallback for ${agent.name}) ${options.about}`,
      });
    });
  }

  private async loop<N extends DecisionName | undefined>(
    asked: AgentSpec,
    prompt: string,
    options: CallOptions<N>,
  ): Promise<AgentCall<Output<N>>> {
    const { ledger, spending, tools, turns, feed } = this.parts;
    const activities = this.activitiesOf(asked);
    const asking: ModelAsking<N> = tools.hasTools(asked)
      ? new Conversation(this.run, asked, prompt, options, { tools, activities })
      : new OneShot(this.run, prompt, options, { activities });
    const path = [asked.name];
    let agent = asked;
    let repairs = 0;
    for (let turn = 1; turn <= asking.maxTurns; turn += 1) {
      // The most this turn may spend, held while it runs: worth estimating only under a token or USD cap.
      const estimate = ledger.weighsCalls() ? asking.need(agent, turn) : undefined;
      const need = estimate instanceof Promise ? await estimate : estimate;
      const room = spending.room(need);
      const limit = room instanceof Promise ? await room : room;
      let outcome: TurnOutcome;
      let timeLeft: number | undefined;
      let refusedCost: Usage | undefined;
      if (limit) outcome = { kind: 'limit', reason: limit.reason, budget: limit.own };
      else {
        // Once the budget runs low, an agent with a cheaper model uses it (every later turn).
        agent = withBudgetModel(agent, ledger);
        timeLeft = ledger.timeLeft();
        let reply: ModelReply | undefined;
        let unanswered: TurnOutcome = { kind: 'failed', error: undefined };
        const stamp = { turn: turns.next(agent.name), feed: feed.target(agent.name) };
        feed.emit({ type: 'call-started', path, turn: stamp.turn, model: agent.model });
        try {
          reply = await asking.ask(agent, turn, repairs, timeLeft, stamp);
          ledger.charge(reply.usage, { model: reply.model, need });
          finished(feed, path, stamp.turn, reply);
        } catch (error) {
          const invalid = invalidOutput(error);
          const stopReason = invalid ? 'refused' : isCancellation(error) ? 'cancelled' : 'failed';
          feed.emit({ type: 'call-finished', path, turn: stamp.turn, stopReason });
          if (invalid) {
            ledger.charge(invalid.usage, { model: agent.model, need });
            refusedCost = invalid.usage;
          }
          unanswered = invalid
            ? {
                kind: 'repair',
                problem: invalid.problem,
                type: invalid.type,
                text: invalid.text,
                conversation: invalid.conversation,
              }
            : { kind: 'failed', error };
        }
        if (reply) {
          // Outside the try: the call is charged once, whatever the step's check makes of its answer.
          const read = asking.read(reply, options);
          outcome = read instanceof Promise ? await read : read;
        } else outcome = unanswered;
      }
      switch (outcome.kind) {
        case 'answer':
          return asking.result(outcome, agent);
        case 'tool-calls':
          asking.toolsDone(await tools.use(agent, outcome.uses, turn));
          break;
        case 'repair':
          if (repairs >= agent.maxRepairs) throw unusable(agent, repairs, outcome);
          repairs += 1;
          asking.repairing(outcome, refusedCost);
          break;
        case 'failed':
          this.chargeFailed(agent, need, outcome.error, timeLeft, asking);
          throw outcome.error;
        case 'limit':
          throw new LimitReached(outcome.reason, outcome.budget);
      }
    }
    throw ApplicationFailure.create({
      message: `agent "${agent.name}" did not finish within maxTurns (${agent.maxTurns}) model turns: raise maxTurns, or give it fewer steps to take`,
      type: FailureType.MaxTurnsExceeded,
      nonRetryable: true,
    });
  }

  /**
   * A call that failed for good counts as an agent call, as it does in the history, with what it is
   * known to have used (nothing); a cancelled one is released. Tool loops always counted it; one-shot
   * calls since 'troupe-count-failed-calls', so runs recorded before replay as they ran.
   */
  private chargeFailed(
    agent: AgentSpec,
    need: CallNeed | undefined,
    error: unknown,
    timeLeft: number | undefined,
    asking: ModelAsking<DecisionName | undefined>,
  ): void {
    const { ledger } = this.parts;
    ledger.failed(need, error, { timedOut: timedOut(error), cut: cutByTimeCap(agent, this.run.team, timeLeft) });
    const counted =
      error instanceof ActivityFailure &&
      !isCancellation(error) &&
      (asking instanceof Conversation || isPatched('troupe-count-failed-calls'));
    if (counted) ledger.charge(ZERO_USAGE, { model: agent.model, need });
    else ledger.release(need);
  }

  /** The agent's activities with its own timeouts and retry policy, made once per agent (its cheaper model keeps them). */
  private activitiesOf(agent: AgentSpec): AgentActivities {
    let activities = this.activities.get(agent.name);
    if (!activities) {
      activities = proxyActivities<Activities>(agentActivityOptions(agent, this.run.team));
      this.activities.set(agent.name, activities);
    }
    return activities;
  }

  private agent(name: string): AgentSpec {
    const agent = this.agents.get(name);
    if (!agent) throw this.noAgent(name);
    return agent;
  }

  private noAgent(name: string): ApplicationFailure {
    return ApplicationFailure.nonRetryable(
      `team "${this.run.team.name}" has no agent "${name}"`,
      FailureType.InvalidTeamSpec,
    );
  }
}

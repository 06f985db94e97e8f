import {ActivityFailure, ApplicationFailure, isCancellation, proxyActivities} from '@temporalio/workflow';
import type { AgentCallResult, Activities } from '../../activities/index.js';
import type { Decision, DecisionName } from '../../team/decisions.js';
import { FailureType } from '../../team/errors.js';
import type { AgentSpec } from '../../team/spec.js';
import { agentInCall } from '../../protocol/agent-ref.js';
import { ZERO_USAGE } from '../../protocol/usage.js';
import type { RunSpec } from '../../protocol/run-spec.js';
import { agentActivityOptions } from './agent-options.js';
import { callNeed, cutByTimeCap, stopAtDeadline } from './call-bounds.js';
import { LimitReached, withBudgetModel, type Ledger } from './ledger.js';
import { invalidOutput, objection, unusable } from './repair.js';
import type { ModelTurns } from './model-turns.js';
import type { ToolLoop } from './tool-loop.js';
import { summarise } from './prompt.js';
import { isPatched } from './patches.js';

export interface AgentCall<T = unknown> extends AgentCallResult {
  /** The agent that produced the result: the one asked, or its fallback. */
  agent: string;
  /** The output: the decision the step reads, when it names one. */
  output: T;
}

/** What a call's output is: the decision the step reads, or whatever the agent answered. */
export type Output<N extends DecisionName | undefined> = N extends DecisionName ? Decision<N> : unknown;


/** Looks at a valid structured output and names what the topology cannot act on, if anything. */
export type DecisionCheck<T = unknown> = (output: T) => string | undefined;

export interface CallOptions<N extends DecisionName | undefined = undefined> {
  /** What the member is working on, in a few words: the activity's summary in the Temporal UI. */
  about: string;
  /** The decision the topology reads the output as (e.g. 'supervisor'): the activity checks the answer against its schema. */
  reads?: N;
  /** Objections to a valid output the topology cannot act on; they are sent back for repair. */
  check?: DecisionCheck<Output<N>>;
  /** The work handed over, checked against the agent's input schema if it declares one. */
  handoff?: { from: string; content: unknown };
  /**
   * The topology can do without this step: an optional agent that fails for good is skipped. `true`
   * in pipelines, which always did; `'since-patch'` in the topologies that learned it later
   * ('troupe-skip-optional-members' in patches.ts), so their runs recorded before still replay as they ran.
   */
  skippable?: boolean | 'since-patch';
}

/**
 * Calls agents: one activity per call, with the agent's own timeouts and retry policy, a readable
 * summary in the Temporal UI, bounded repair of output that fails the schema or the topology's
 * check, and the agent's fallback when it fails for good. Every call is charged to the ledger.
 */
export class AgentRunner {
  private readonly agents: ReadonlyMap<string, AgentSpec>;

  constructor(
    private readonly run: RunSpec,
    private readonly ledger: Ledger,
    /** Agents with tools work in a loop of turns and tool calls. */
    private readonly tools: ToolLoop,
    private readonly turns: ModelTurns,
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
   * function, for fewer promises (Temporal captures a stack for each), yet with as many microtask
   * steps as before for every agent, so members running at once issue commands in the same order.
   */
  call<N extends DecisionName | undefined>(agentName: string, prompt: string, options: CallOptions<N>): Promise<AgentCall<Output<N>>> {
    const agent = this.agents.get(agentName);
    if (!agent) return Promise.reject(this.noAgent(agentName));
    return this.callWithRepair(agent, prompt, options).catch((error: unknown) => {
      if (agent.fallback === undefined || isCancellation(error) || error instanceof LimitReached) throw error;
      return this.callWithRepair(this.agent(agent.fallback), prompt, { ...options, about: `(fallback for ${agent.name}) ${options.about}` });
    });
  }

  private async callWithRepair<N extends DecisionName | undefined>(agent: AgentSpec, prompt: string, { about, reads, check, handoff }: CallOptions<N>): Promise<AgentCall<Output<N>>> {
    if (agent.tools.length > 0 || agent.delegates.length > 0 || agent.mcp.length > 0) return this.tools.call(agent, prompt, { about, ...(reads ? { reads } : {}), ...(check ? { check } : {}), ...(handoff ? { handoff } : {}) });
    const { runAgent } = proxyActivities<Activities>(agentActivityOptions(agent, this.run.team));
    let repair: { previousText: string; problem: string } | undefined;
    for (let repairs = 0; ; repairs += 1) {
      const need = this.ledger.weighsCalls() ? callNeed(agent, [prompt, repair, handoff]) : undefined;
      const room = this.ledger.ensureRoom(need);
      if (room) await room;
      // Once the budget runs low, an agent with a cheaper model uses it.
      agent = withBudgetModel(agent, this.ledger);
      const repairNote = repair ? `[repair ${repairs}] ` : '';
      let problem: { text: string; problem: string; type: FailureType };
      const timeLeft = this.ledger.timeLeft();
      try {
        const result = await runAgent.executeWithOptions(
          { summary: `${agent.name} (${agent.role}, ${agent.model}): ${repairNote}${summarise(about, 100)}`, ...stopAtDeadline(agent, this.run.team, timeLeft) },
          [{ team: this.run.team.name, agent: agentInCall(agent), prompt, ...(repair ? { repair } : {}), ...(handoff ? { handoff } : {}), ...(reads ? { reads } : {}), turn: this.turns.next(agent.name) }],
        );
        this.ledger.charge(result.usage, { model: result.model, need });
        const objecting = objection(result, reads, check);
        const refused = objecting instanceof Promise ? await objecting : objecting;
        if (refused === undefined) return { ...result, output: result.output as Output<N>, agent: agent.name };
        problem = { text: result.text, problem: refused, type: FailureType.InvalidDecision };
      } catch (error) {
        const invalid = invalidOutput(error);
        if (!invalid) {
          this.ledger.failed(need, error, cutByTimeCap(agent, this.run.team, timeLeft));
          if (error instanceof ActivityFailure && !isCancellation(error) && isPatched('troupe-count-failed-calls')) this.ledger.charge(ZERO_USAGE, { model: agent.model, need });
          else this.ledger.release(need);
          throw error;
        }
        this.ledger.charge(invalid.usage, { model: agent.model, need });
        problem = invalid;
      }
      if (repairs >= agent.maxRepairs) throw unusable(agent, repairs, problem);
      repair = { previousText: problem.text, problem: problem.problem };
    }
  }

  private agent(name: string): AgentSpec {
    const agent = this.agents.get(name);
    if (!agent) throw this.noAgent(name);
    return agent;
  }

  private noAgent(name: string): ApplicationFailure {
    return ApplicationFailure.nonRetryable(`team "${this.run.team.name}" has no agent "${name}"`, FailureType.InvalidTeamSpec);
  }
}

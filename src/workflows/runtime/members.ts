import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  executeChild,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import { FailureType } from '../../team/errors.js';
import { ZERO_USAGE } from '../../protocol/usage.js';
import type { RunSpec } from '../../protocol/run-spec.js';
import type { RunResult } from '../../protocol/messages.js';
import { AgentLoop } from './agent/agent-loop.js';
import type { CallOptions, Output } from './agent/call-options.js';
import type { Approvals } from './approvals.js';
import { timedOut } from './call-bounds.js';
import { decisionProblemHere } from './decision-check.js';
import type { DecisionName } from '../../team/decisions.js';
import type { Ledger, Spent } from './ledger/index.js';
import { LimitReached } from './limit-reached.js';
import type { MemberResult } from './member-result.js';
import type { ModelTurns } from './model-turns.js';
import { renderPrompt } from './prompt.js';
import type { Limit, Spending } from './spending.js';
import type { Delegation } from './tools/delegate-tool.js';
import { ToolBox } from './tools/tool-box.js';
import { toolKinds } from './tools/tool-kinds.js';
import { receiveSpendReports } from './spend-report.js';
import { summarise } from './prompt.js';
import type { Transcript } from './transcript.js';
import { isPatched } from './patches.js';

/**
 * Runs a member of the team: an agent through the agent activity, or a sub-team as a child
 * workflow with its own history. A child gets the remaining budget, its spend is charged here,
 * and cancelling the parent cancels it (failures come back up as the child's failure).
 */
export class Members implements Delegation {
  private childCount = 0;
  private readonly agents: AgentLoop;
  private readonly ledger: Ledger;
  private readonly spending: Spending;
  private readonly transcript: Transcript;
  /** What failed sub-teams reported spending, by workflow id. */
  private readonly spendReports: Map<string, Spent> = receiveSpendReports();

  /** `task`: the run's task as agents are given it now (a person's changes may come with it). */
  constructor(
    private readonly run: RunSpec,
    parts: {
      ledger: Ledger;
      spending: Spending;
      transcript: Transcript;
      approvals: Approvals;
      turns: ModelTurns;
      task: () => unknown;
    },
  ) {
    ({ ledger: this.ledger, spending: this.spending, transcript: this.transcript } = parts);
    this.task = parts.task;
    // Agents delegate to members, and members are agents: the tools reach back here to delegate.
    const kinds = toolKinds(run, { ledger: parts.ledger, transcript: parts.transcript, delegation: this });
    const tools = new ToolBox(kinds, {
      ledger: parts.ledger,
      transcript: parts.transcript,
      approvals: parts.approvals,
      delegation: this,
      team: run.team.name,
    });
    this.agents = new AgentLoop(run, {
      ledger: parts.ledger,
      spending: parts.spending,
      tools,
      turns: parts.turns,
      feed: parts.transcript.feed,
    });
  }

  private readonly task: () => unknown;

  /** A sub-task an agent hands to a member with a delegate tool: the member sees it with the run's task. */
  delegate(member: string, task: string, about: string): Promise<MemberResult> {
    return this.call(member, renderPrompt({ instruction: task, task: this.task() }), { about });
  }

  /** One line on a member, for a steering agent choosing among them. */
  describe(name: string): string {
    const agent = this.run.team.agents.find((a) => a.name === name);
    if (agent) return `- ${name}: ${agent.role}`;
    const team = this.run.subteams[name];
    return `- ${name}: a sub-team${team?.description ? `: ${team.description}` : ''}`;
  }

  /** Whether `name` is a sub-team (not an agent) of the team. */
  isSubteam(name: string): boolean {
    return !this.agents.has(name) && this.run.team.subteams.includes(name);
  }

  /** Calls a member; with `options.reads`, the output is that decision (an agent's is repaired until it is). */
  call<N extends DecisionName | undefined = undefined>(
    name: string,
    prompt: string,
    options: CallOptions<N>,
  ): Promise<MemberResult<Output<N>>> {
    this.ledger.memberStarting(this.isSubteam(name));
    return this.begin(name, prompt, options);
  }

  /**
   * The call, once the member counts as started (a call again after the time cap is not a second
   * start). An agent's call is chained, not awaited in an async function: each promise in workflow
   * code costs a stack capture, and this runs for every call. A result or failure reaches it after
   * as many microtask steps as it did through async functions, so commands keep their order.
   */
  private begin<N extends DecisionName | undefined>(
    name: string,
    prompt: string,
    options: CallOptions<N>,
  ): Promise<MemberResult<Output<N>>> {
    if (!this.agents.has(name)) return this.callSubteam(name, prompt, options);
    return this.agents.call(name, prompt, options).then(
      (result): MemberResult<Output<N>> => ({
        from: result.agent,
        output: result.output,
        usage: result.usage,
        model: result.model,
      }),
      (error: unknown) => {
        if (
          this.ledger.stoppedAtTimeCap(error, { timedOut: timedOut(error), attemptTimeout: this.attemptTimeout(name) })
        )
          return this.afterTimeCap(name, prompt, options);
        const failed = options.skippable && this.agents.isOptional(name) ? finalFailure(error) : undefined;
        // Asked only once an optional member failed for good: other runs' commands are unchanged.
        const reason =
          failed !== undefined && (options.skippable === true || isPatched('troupe-skip-optional-members'))
            ? failed
            : undefined;
        if (reason === undefined) throw error;
        this.transcript.degrade(name, reason);
        return { from: name, output: undefined as Output<N>, usage: ZERO_USAGE, skipped: reason };
      },
    );
  }

  private async callSubteam<N extends DecisionName | undefined>(
    name: string,
    prompt: string,
    options: CallOptions<N>,
  ): Promise<MemberResult<Output<N>>> {
    const about = options.about;
    const team = this.run.team.subteams.includes(name) ? this.run.subteams[name] : undefined;
    if (!team) {
      throw ApplicationFailure.nonRetryable(
        `team "${this.run.team.name}" has no member "${name}"`,
        FailureType.InvalidTeamSpec,
      );
    }
    const room = this.roomToStart();
    if (room) await room;
    this.childCount += 1;
    const workflowId = `${workflowInfo().workflowId}/${name}-${this.transcript.continuedAsNew}.${this.childCount}`;
    const allowance = this.ledger.handDown();
    const feed = this.transcript.feed.forSubteam(name);
    const child: RunSpec = {
      ...(feed ? { feed } : {}),
      team,
      input: prompt,
      subteams: this.run.subteams,
      budget: allowance,
      searchAttributes: this.run.searchAttributes,
      prices: this.run.prices,
      checked: true,
    };
    let result: RunResult;
    try {
      result = await executeChild<(spec: RunSpec) => Promise<RunResult>>(team.topology.kind, {
        workflowId,
        args: [child],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        staticSummary: `${name} (sub-team of ${this.run.team.name}): ${summarise(about, 100)}`,
      });
    } catch (error) {
      this.ledger.settle(allowance, this.spendReports.get(workflowId));
      throw error;
    }
    this.ledger.settle(allowance, { usage: result.usage, calls: result.agentCalls, costUsd: result.costUsd });
    if (result.partial)
      this.transcript.warnings.push(
        `sub-team ${name} (${workflowId}) stopped early (${result.stoppedBy}); its output is partial`,
      );
    // Only a step that reads a decision waits for the check (and zod): other steps take the answer as it came.
    const output =
      options.reads === undefined
        ? (result.output as Output<N>)
        : await this.teamOutput<N>(name, result.output, options.reads);
    return { from: name, output, usage: result.usage, childWorkflowId: workflowId };
  }

  /**
   * Room for a member to start (a sub-team reserves its allowance when handed it); none stops the
   * run. Synchronous unless a person is asked, so the member starts in the same step as before.
   */
  private roomToStart(): void | Promise<void> {
    const room = this.spending.room(false);
    if (room instanceof Promise) return room.then(stopAt);
    stopAt(room);
  }

  private attemptTimeout(agent: string): number {
    return this.run.team.agents.find((a) => a.name === agent)?.timeout ?? 0;
  }

  /**
   * A call the time cap stopped: the run stops there (flagged maxTime), or, with a budget that asks,
   * a person may raise the cap and the member is called again.
   */
  private async afterTimeCap<N extends DecisionName | undefined>(
    name: string,
    prompt: string,
    options: CallOptions<N>,
  ): Promise<MemberResult<Output<N>>> {
    this.transcript.warnings.push(`a call of ${name} was stopped at the time cap`);
    await this.spending.untilTimeCap();
    const room = this.roomToStart();
    if (room) await room;
    return this.begin(name, prompt, options);
  }

  /** A sub-team's answer cannot be repaired by asking again: one this step cannot read fails the run. */
  private async teamOutput<N extends DecisionName | undefined>(
    name: string,
    output: unknown,
    reads: DecisionName,
  ): Promise<Output<N>> {
    const problem = await decisionProblemHere(reads, output);
    if (problem === undefined) return output as Output<N>;
    throw ApplicationFailure.nonRetryable(
      `sub-team "${name}" answered in a shape this step cannot read: ${problem}`,
      FailureType.InvalidDecision,
    );
  }
}

function stopAt(limit: Limit | undefined): void {
  if (limit) throw new LimitReached(limit.reason, limit.own);
}

/** Why a call failed for good (after retries, repairs and any fallback), or undefined for a cancellation or a spent budget. */
function finalFailure(error: unknown): string | undefined {
  if (isCancellation(error) || error instanceof LimitReached) return undefined;
  if (error instanceof ActivityFailure) return `${error.cause?.message ?? error.message}`;
  if (error instanceof ApplicationFailure) return `${error.type ? `${error.type}: ` : ''}${error.message}`;
  return undefined;
}

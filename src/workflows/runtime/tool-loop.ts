import {ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TimeoutFailure, isCancellation, proxyActivities, proxyLocalActivities} from '@temporalio/workflow';
import type { Activities, ModelTurnResult, ToolOutcome, ToolUse } from '../../activities/index.js';
import { FailureType } from '../../team/errors.js';
import type { DecisionName } from '../../team/decisions.js';
import type { AgentSpec } from '../../team/spec.js';
import type { McpServerSpec } from '../../team/mcp.js';
import { mcpToolName, mcpToolNames, mcpToolOf } from '../../team/mcp-names.js';
import type { ToolSpec } from '../../team/tool.js';
import { agentInCall } from '../../protocol/agent-ref.js';
import { delegateTool, delegatedMember, delegatedTask } from '../../protocol/delegation.js';
import { ZERO_USAGE, addUsage } from '../../protocol/usage.js';
import type { RunSpec } from '../../protocol/run-spec.js';
import { agentActivityOptions, toolActivityOptions } from './agent-options.js';
import type { AgentCall, CallOptions, Output } from './agent-runner.js';
import type { Approvals } from './approvals.js';
import { LimitReached, withBudgetModel, type Ledger } from './ledger.js';
import { callNeed, cutByTimeCap, delegateToolsAtMost, nextTurnNeed, stopAtDeadline, type CallNeed } from './call-bounds.js';
import { invalidOutput, objection, unusable } from './repair.js';
import type { MemberResult } from './members.js';
import type { ModelTurns } from './model-turns.js';
import { summarise } from './prompt.js';
import type { Transcript } from './transcript.js';
import { isPatched } from './patches.js';

const { toolNeedsApproval } = proxyLocalActivities<Activities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 3 } });

/**
 * An agent with tools: a loop of model turns and tool calls, run by the workflow so that each turn
 * and each tool call is its own activity (a crash repeats neither a finished turn nor a finished
 * call; the UI names every call). Several tool calls of one turn run in parallel. A tool that fails
 * for good, input its schema refuses, an unknown tool or a person's refusal go back to the model as
 * error results it can recover from. The conversation itself travels by claim-check key.
 */
export class ToolLoop {
  /** Hands a sub-task to a member of the team (an agent, or a sub-team as a child workflow); set by TeamRun. */
  delegate: ((member: string, task: string, about: string) => Promise<MemberResult>) | undefined;

  constructor(
    private readonly run: RunSpec,
    private readonly ledger: Ledger,
    private readonly transcript: Transcript,
    private readonly approvals: Approvals,
    private readonly turns: ModelTurns,
  ) {}

  async call<N extends DecisionName | undefined>(agent: AgentSpec, prompt: string, { about, reads, check, handoff }: CallOptions<N>): Promise<AgentCall<Output<N>>> {
    const { runModelTurn } = proxyActivities<Activities>(agentActivityOptions(agent, this.run.team));
    let conversation: string | undefined;
    let toolResults: ToolOutcome[] | undefined;
    let repair: { problem: string } | undefined;
    let repairs = 0;
    let usage = ZERO_USAGE;
    let last = ZERO_USAGE;
    for (let turn = 1; turn <= agent.maxTurns; turn += 1) {
      // The most this turn may spend: the first from the task, later ones from the conversation so far.
      const need = !this.ledger.weighsCalls() ? undefined : turn === 1 ? this.firstTurnNeed(agent, prompt, handoff) : nextTurnNeed(agent, last, toolResults, repair);
      const room = this.ledger.ensureRoom(need);
      if (room) await room;
      // Once the budget runs low, an agent with a cheaper model uses it (every later turn).
      agent = withBudgetModel(agent, this.ledger);
      // Only the first turn carries the agent's spec and the task: later ones continue the stored conversation.
      const input = {
        team: this.run.team.name,
        agent: { name: agent.name, role: agent.role, model: agent.model },
        ...(turn === 1 ? { first: { spec: agentInCall(agent), prompt } } : {}),
        ...(conversation ? { conversation } : {}),
        ...(toolResults ? { toolResults } : {}),
        ...(repair ? { repair } : {}),
        ...(handoff && turn === 1 ? { handoff } : {}),
        ...(reads ? { reads } : {}),
        turn: this.turns.next(agent.name),
      };
      let result: ModelTurnResult;
      const timeLeft = this.ledger.timeLeft();
      try {
        result = await runModelTurn.executeWithOptions(
          { summary: `${agent.name} (${agent.role}, ${agent.model}): turn ${turn}${repair ? ' [repair]' : ''}: ${summarise(about, 90)}`, ...stopAtDeadline(agent, this.run.team, timeLeft) },
          [input],
        );
      } catch (error) {
        const invalid = invalidOutput(error);
        if (!invalid) {
          this.ledger.failed(need, error, cutByTimeCap(agent, this.run.team, timeLeft));
          if (error instanceof ActivityFailure && !isCancellation(error)) this.ledger.charge(ZERO_USAGE, { model: agent.model, need });
          else this.ledger.release(need);
          throw error;
        }
        this.ledger.charge(invalid.usage, { model: agent.model, need });
        usage = addUsage(usage, invalid.usage);
        last = invalid.usage;
        if (repairs >= agent.maxRepairs) throw unusable(agent, repairs, invalid);
        repairs += 1;
        [conversation, toolResults, repair] = [invalid.conversation ?? conversation, undefined, { problem: invalid.problem }];
        continue;
      }
      this.ledger.charge(result.usage, { model: result.model, need });
      usage = addUsage(usage, result.usage);
      last = result.usage;
      [conversation, repair] = [result.conversation, undefined];
      if (result.toolUses.length === 0) {
        const objecting = objection(result, reads, check);
        const refused = objecting instanceof Promise ? await objecting : objecting;
        if (refused === undefined) return { output: result.output as Output<N>, text: result.text, usage, model: result.model, stopReason: result.stopReason, agent: agent.name };
        if (repairs >= agent.maxRepairs) throw unusable(agent, repairs, { problem: refused, type: FailureType.InvalidDecision, text: result.text });
        repairs += 1;
        [toolResults, repair] = [undefined, { problem: refused }];
        continue;
      }
      toolResults = await this.useTools(agent, result.toolUses, turn);
    }
    throw ApplicationFailure.create({
      message: `agent "${agent.name}" did not finish within maxTurns (${agent.maxTurns}) model turns: raise maxTurns, or give it fewer steps to take`,
      type: FailureType.MaxTurnsExceeded,
      nonRetryable: true,
    });
  }

  /** The first turn's most: later turns count the tools from the input the API reported. */
  private firstTurnNeed(agent: AgentSpec, prompt: string, handoff: unknown): CallNeed {
    const need = callNeed(agent, [prompt, handoff]);
    // Asked only for an agent that delegates, under a token or USD cap: other runs' commands are unchanged.
    if (agent.delegates.length === 0 || !isPatched('troupe-delegate-tools-estimate')) return need;
    return { ...need, inputTokens: need.inputTokens + delegateToolsAtMost(agent, this.run.team) };
  }

  /** Approvals first, one at a time (a run waits on one gate at a time); then the approved calls, all at once. */
  private async useTools(agent: AgentSpec, uses: ToolUse[], turn: number): Promise<ToolOutcome[]> {
    const refusals = new Map<string, ToolOutcome>();
    for (const use of uses) {
      const refusal = await this.refusal(agent, use);
      if (refusal) refusals.set(use.id, refusal);
    }
    // Members delegated to in this turn start together: sub-teams among them share what is left, and
    // leave a call for each agent among them and for this agent's next turn (dropped once they are done).
    const delegated = uses.flatMap((use) => (refusals.has(use.id) ? [] : (delegatedMember(use.name, agent.delegates) ?? [])));
    const subteams = delegated.filter((member) => this.isSubteam(member)).length;
    if (subteams > 0) this.ledger.together(delegated.length - subteams + 1, subteams);
    let outcomes: ToolOutcome[];
    try {
      outcomes = await Promise.all(uses.map(async (use) => refusals.get(use.id) ?? (await this.runTool(agent, use, subteams > 0))));
    } finally {
      if (subteams > 0) this.ledger.memberStarting();
    }
    uses.forEach((use, i) => {
      const outcome = outcomes[i];
      if (!outcome) return;
      this.transcript.record({ from: agent.name, to: `tool:${use.name}`, kind: 'tool', round: turn, content: { input: use.input, isError: outcome.isError, result: outcome.preview, bytes: outcome.bytes } });
    });
    return outcomes;
  }

  /** Why the model cannot have this call (unknown tool, a person refused it), or nothing when it may run. */
  private async refusal(agent: AgentSpec, use: ToolUse): Promise<ToolOutcome | undefined> {
    if (delegatedMember(use.name, agent.delegates)) return undefined;
    const server = mcpServerOf(agent, use.name);
    const spec = server ?? agent.tools.find((t) => t.name === use.name);
    const names = [...agent.tools.map((t) => t.name), ...agent.mcp.flatMap((s) => mcpToolNames(s).map((tool) => mcpToolName(s, tool))), ...agent.delegates.map(delegateTool)];
    if (!spec) return errorOutcome(use, `there is no tool "${use.name}": use one of ${names.join(', ')}`);
    // An MCP server's approval is one spec for all its tools, each asked at its own gate.
    const approval = server?.approval ? { ...server.approval, gate: `tool-${use.name}` } : spec.approval;
    if (!approval) return undefined;
    const asking = server ? { team: this.run.team.name, agent: agent.name, server: server.name, tool: mcpToolOf(server, use.name) ?? use.name, input: use.input } : { team: this.run.team.name, agent: agent.name, tool: use.name, input: use.input };
    if (approval.when === 'requested' && !(await toolNeedsApproval(asking))) return undefined;
    this.transcript.doing(`${agent.name} waits for approval to call ${use.name}(${summarise(use.input, 60)})`);
    const decision = await this.approvals.request(approval, { from: `${agent.name} → ${use.name}`, content: { tool: use.name, input: use.input } });
    if (decision.decision === 'approve') return undefined;
    const why = `${decision.by} ${decision.decision === 'reject' ? 'refused' : 'asked for changes to'} this call of "${use.name}"${decision.comment ? `: ${decision.comment}` : ''}`;
    if (spec.onRefused === 'fail') throw ApplicationFailure.create({ message: why, type: FailureType.ApprovalRejected, nonRetryable: true, details: [decision] });
    return errorOutcome(use, `${why}. Do not call it again with the same input; take another way or explain what you need.`);
  }

  /** A delegation: the member works on the sub-task (in parallel with the turn's other calls) and its answer is the result. */
  private async delegateTo(agent: AgentSpec, member: string, use: ToolUse, together: boolean): Promise<ToolOutcome> {
    const task = delegatedTask(use.input);
    if (task === undefined) {
      // It will not start: it no longer counts among those starting together, if the turn counted it.
      if (together) this.ledger.memberStarting(this.isSubteam(member));
      return errorOutcome(use, `invalid input for "${use.name}": give { task: "the sub-task" }`);
    }
    if (!this.delegate) throw new Error('ToolLoop.delegate is not set');
    try {
      const result = await this.delegate(member, task, `from ${agent.name}: ${task}`);
      this.transcript.recordOutput(result, agent.name);
      const text = typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
      return { toolUseId: use.id, isError: false, content: text, bytes: text.length, preview: summarise(text, 120) };
    } catch (error) {
      if (isCancellation(error) || error instanceof LimitReached || !(error instanceof ActivityFailure || error instanceof ChildWorkflowFailure)) throw error;
      return errorOutcome(use, `${member} could not do it: ${error.cause?.message ?? error.message}`);
    }
  }

  private isSubteam(member: string): boolean {
    return !this.run.team.agents.some((a) => a.name === member) && this.run.team.subteams.includes(member);
  }

  /** A call of an MCP server's tool: its own activity, with the server's timeout and retry policy. */
  private async callMcp(agent: AgentSpec, server: McpServerSpec, use: ToolUse): Promise<ToolOutcome> {
    const { runMcpTool } = proxyActivities<Activities>(toolActivityOptions(server, agent, this.run.team));
    try {
      return await runMcpTool.executeWithOptions({ summary: `${agent.name} → ${server.name}:${use.name}(${summarise(use.input, 80)})` }, [
        { team: this.run.team.name, agent: agent.name, server: server.name, tool: mcpToolOf(server, use.name) ?? use.name, toolUseId: use.id, input: use.input },
      ]);
    } catch (error) {
      return failedCall(error, use, `MCP tool "${use.name}" of "${server.name}"`);
    }
  }

  /** `together`: the turn's delegations were counted as starting together (see useTools). */
  private async runTool(agent: AgentSpec, use: ToolUse, together: boolean): Promise<ToolOutcome> {
    const member = delegatedMember(use.name, agent.delegates);
    if (member) return this.delegateTo(agent, member, use, together);
    const server = mcpServerOf(agent, use.name);
    if (server) return this.callMcp(agent, server, use);
    const spec = agent.tools.find((t) => t.name === use.name) as ToolSpec;
    const { runTool } = proxyActivities<Activities>(toolActivityOptions(spec, agent, this.run.team));
    try {
      return await runTool.executeWithOptions({ summary: `${agent.name} → ${use.name}(${summarise(use.input, 80)})` }, [
        { team: this.run.team.name, agent: agent.name, tool: use.name, toolUseId: use.id, input: use.input },
      ]);
    } catch (error) {
      return failedCall(error, use, `tool "${use.name}"`);
    }
  }
}

/** The MCP server whose allowed tools include `name`, if any. */
function mcpServerOf(agent: AgentSpec, name: string): McpServerSpec | undefined {
  return agent.mcp.find((server) => mcpToolOf(server, name) !== undefined);
}

/**
 * A tool call that failed after its retries becomes an error result for the model. A worker that
 * does not know the tool is a setup problem, not the model's, and a cancellation is not a failure:
 * both are rethrown.
 */
function failedCall(error: unknown, use: ToolUse, what: string): ToolOutcome {
  if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
  if (error.cause instanceof ApplicationFailure && error.cause.type === FailureType.UnknownAgent) throw error;
  return errorOutcome(use, `${what} failed after its retries: ${whyItFailed(error)}`);
}

/** What made a call fail, for the model: a timeout has no message of its own, so it is named. */
function whyItFailed(error: ActivityFailure): string {
  const cause = error.cause;
  if (cause instanceof TimeoutFailure) return `it timed out (${(cause.timeoutType ?? "timeout").toLowerCase().replace(/_/g, "-")}${cause.cause?.message ? `: ${cause.cause.message}` : ''})`;
  return cause?.message || error.message;
}

function errorOutcome(use: ToolUse, message: string): ToolOutcome {
  return { toolUseId: use.id, isError: true, content: message, bytes: message.length, preview: summarise(message, 120) };
}

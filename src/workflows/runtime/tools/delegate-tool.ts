import { ActivityFailure, ChildWorkflowFailure, isCancellation } from '@temporalio/workflow';
import type { ToolOutcome } from '../../../activities/index.js';
import type { AgentSpec, TeamSpec } from '../../../team/spec.js';
import { delegateTool, delegatedMember, delegatedTask } from '../../../protocol/delegation.js';
import type { Ledger } from '../ledger/index.js';
import { LimitReached } from '../limit-reached.js';
import type { MemberResult } from '../member-result.js';
import { delegateToolsAtMost } from '../call-bounds.js';
import { isPatched } from '../patches.js';
import { summarise } from '../prompt.js';
import type { Transcript } from '../transcript.js';
import type { ToolCall, ToolKind } from './tool-kind.js';
import { errorOutcome } from './tool-outcome.js';

/** How an agent hands a sub-task to a member of its team: an agent, or a sub-team as a child workflow. */
export interface Delegation {
  delegate(member: string, task: string, about: string): Promise<MemberResult>;
  isSubteam(member: string): boolean;
}

/** `delegate_<member>` tools: the member works on the sub-task (in parallel with the turn's other calls) and its answer is the result. */
export class DelegateTools implements ToolKind {
  constructor(
    private readonly team: TeamSpec,
    private readonly ledger: Ledger,
    private readonly transcript: Transcript,
    private readonly delegation: Delegation,
  ) {}

  has(agent: AgentSpec): boolean {
    return agent.delegates.length > 0;
  }

  owns(agent: AgentSpec, name: string): boolean {
    return delegatedMember(name, agent.delegates) !== undefined;
  }

  names(agent: AgentSpec): string[] {
    return agent.delegates.map(delegateTool);
  }

  /** The delegate tools the worker adds to the request: asked only of an agent that delegates, so other runs' commands are unchanged. */
  estimate(agent: AgentSpec): number {
    return isPatched('troupe-delegate-tools-estimate') ? delegateToolsAtMost(agent, this.team) : 0;
  }

  /** Delegations need no approval of their own: the member's gates apply. */
  approval(): undefined {
    return undefined;
  }

  async dispatch({ agent, use, together }: ToolCall): Promise<ToolOutcome> {
    const member = delegatedMember(use.name, agent.delegates) as string;
    const task = delegatedTask(use.input);
    if (task === undefined) {
      // It will not start: it no longer counts among those starting together, if the turn counted it.
      if (together) this.ledger.memberStarting(this.delegation.isSubteam(member));
      return errorOutcome(use, `invalid input for "${use.name}": give { task: "the sub-task" }`);
    }
    try {
      const result = await this.delegation.delegate(member, task, `from ${agent.name}: ${task}`);
      this.transcript.recordOutput(result, agent.name);
      const text = typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
      return { toolUseId: use.id, isError: false, content: text, bytes: text.length, preview: summarise(text, 120) };
    } catch (error) {
      if (
        isCancellation(error) ||
        error instanceof LimitReached ||
        !(error instanceof ActivityFailure || error instanceof ChildWorkflowFailure)
      )
        throw error;
      return errorOutcome(use, `${member} could not do it: ${error.cause?.message ?? error.message}`);
    }
  }
}

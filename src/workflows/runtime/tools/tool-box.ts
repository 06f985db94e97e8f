import { ApplicationFailure, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities, ToolOutcome, ToolUse } from '../../../activities/index.js';
import { FailureType } from '../../../team/errors.js';
import type { AgentSpec } from '../../../team/spec.js';
import { delegatedMember } from '../../../protocol/delegation.js';
import type { Approvals } from '../approvals.js';
import type { Ledger } from '../ledger/index.js';
import { summarise } from '../prompt.js';
import type { Transcript } from '../transcript.js';
import type { Delegation } from './delegate-tool.js';
import type { ToolKind } from './tool-kind.js';
import { errorOutcome } from './tool-outcome.js';

const { toolNeedsApproval } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3 },
});

/**
 * Runs the tool calls of one model turn: approvals first, one at a time (a run waits on one gate
 * at a time), then the approved calls all at once, each by its kind. Unknown tools and refusals go
 * back to the model as error results; every call is recorded in the transcript.
 */
export class ToolBox {
  constructor(
    private readonly kinds: readonly ToolKind[],
    private readonly parts: {
      ledger: Ledger;
      transcript: Transcript;
      approvals: Approvals;
      delegation: Delegation;
      team: string;
    },
  ) {}

  /** The kind whose tool `name` is, for `agent`. */
  kindOf(agent: AgentSpec, name: string): ToolKind | undefined {
    return this.kinds.find((kind) => kind.owns(agent, name));
  }

  /** Whether the agent has tools at all: then it works in a loop of turns and tool calls. */
  hasTools(agent: AgentSpec): boolean {
    return this.kinds.some((kind) => kind.has(agent));
  }

  /** Tokens the agent's tool definitions add to its first request beyond its spec, at most (see ToolKind.estimate). */
  estimate(agent: AgentSpec): number | Promise<number> {
    let sum = 0;
    let later: Promise<number>[] | undefined;
    for (const kind of this.kinds) {
      if (!kind.has(agent)) continue;
      const tokens = kind.estimate(agent);
      if (typeof tokens === 'number') sum += tokens;
      else (later ??= []).push(tokens);
    }
    return later ? Promise.all(later).then((more) => more.reduce((a, b) => a + b, sum)) : sum;
  }

  async use(agent: AgentSpec, uses: ToolUse[], turn: number): Promise<ToolOutcome[]> {
    const { ledger, transcript, delegation } = this.parts;
    const refusals = new Map<string, ToolOutcome>();
    for (const use of uses) {
      const refusal = await this.refusal(agent, use);
      if (refusal) refusals.set(use.id, refusal);
    }
    // Members delegated to in this turn start together: sub-teams among them share what is left, and
    // leave a call for each agent among them and for this agent's next turn (dropped once they are done).
    const delegated = uses.flatMap((use) =>
      refusals.has(use.id) ? [] : (delegatedMember(use.name, agent.delegates) ?? []),
    );
    const subteams = delegated.filter((member) => delegation.isSubteam(member)).length;
    if (subteams > 0) ledger.together(delegated.length - subteams + 1, subteams);
    for (const use of uses)
      if (!refusals.has(use.id))
        transcript.feed.emit({
          type: 'tool-started',
          path: [agent.name],
          tool: use.name,
          id: use.id,
          input: use.input,
        });
    let outcomes: ToolOutcome[];
    try {
      outcomes = await Promise.all(
        uses.map(
          async (use) =>
            refusals.get(use.id) ??
            (await (this.kindOf(agent, use.name) as ToolKind).dispatch({ agent, use, together: subteams > 0 })),
        ),
      );
    } finally {
      if (subteams > 0) ledger.memberStarting();
    }
    uses.forEach((use, i) => {
      const outcome = outcomes[i];
      if (!outcome) return;
      transcript.feed.emit({
        type: 'tool-finished',
        path: [agent.name],
        tool: use.name,
        id: use.id,
        isError: outcome.isError,
        summary: summarise(outcome.preview, 200),
      });
      transcript.record({
        from: agent.name,
        to: `tool:${use.name}`,
        kind: 'tool',
        round: turn,
        content: { input: use.input, isError: outcome.isError, result: outcome.preview, bytes: outcome.bytes },
      });
    });
    return outcomes;
  }

  /** Why the model cannot have this call (unknown tool, a person refused it), or nothing when it may run. */
  private async refusal(agent: AgentSpec, use: ToolUse): Promise<ToolOutcome | undefined> {
    const kind = this.kindOf(agent, use.name);
    if (!kind) return errorOutcome(use, `there is no tool "${use.name}": use one of ${this.names(agent).join(', ')}`);
    const approval = kind.approval(agent, use);
    if (!approval) return undefined;
    if (approval.spec.when === 'requested' && !(await toolNeedsApproval(approval.asking))) return undefined;
    this.parts.transcript.doing(`${agent.name} waits for approval to call ${use.name}(${summarise(use.input, 60)})`);
    const decision = await this.parts.approvals.request(approval.spec, {
      from: `${agent.name} → ${use.name}`,
      content: { tool: use.name, input: use.input },
    });
    if (decision.decision === 'approve') return undefined;
    const why = `${decision.by} ${decision.decision === 'reject' ? 'refused' : 'asked for changes to'} this call of "${use.name}"${decision.comment ? `: ${decision.comment}` : ''}`;
    if (approval.onRefused === 'fail')
      throw ApplicationFailure.create({
        message: why,
        type: FailureType.ApprovalRejected,
        nonRetryable: true,
        details: [decision],
      });
    return errorOutcome(
      use,
      `${why}. Do not call it again with the same input; take another way or explain what you need.`,
    );
  }

  /** Every tool the agent may call: its own first, then MCP servers', then delegations (the kinds' matching order, reversed). */
  private names(agent: AgentSpec): string[] {
    return [...this.kinds].reverse().flatMap((kind) => kind.names(agent));
  }
}

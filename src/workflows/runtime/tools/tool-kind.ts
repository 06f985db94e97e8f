import type { ToolOutcome, ToolUse } from '../../../activities/index.js';
import type { ApprovalSpec } from '../../../team/approval.js';
import type { AgentSpec } from '../../../team/spec.js';

/** A person's say over one tool call: the gate, and what the worker is asked to decide whether it is needed. */
export interface ToolApproval {
  spec: ApprovalSpec;
  /** What `toolNeedsApproval` is asked for a gate that approves only calls the tool says need it. */
  asking: { team: string; agent: string; tool: string; input: unknown; server?: string };
  /** Whether a refusal fails the run ('fail') or goes back to the model as an error result. */
  onRefused: 'fail' | 'tell-model' | undefined;
}

/** One call the model asked for, as a kind dispatches it. */
export interface ToolCall {
  agent: AgentSpec;
  use: ToolUse;
  /** The turn's delegations were counted as starting together (see ToolBox.use). */
  together: boolean;
}

/**
 * What every kind of tool an agent can have (its own tools, MCP servers' tools, delegation to a
 * member, the API's server tools) does for the agent loop. A new kind is one file implementing this,
 * registered in tool-kinds.ts. The request's tool definitions are built by the model-turn activity
 * on the worker (it alone sees MCP servers' listings); the agent's fingerprint names the spec fields.
 */
export interface ToolKind {
  /** Whether `agent` has tools of this kind that the loop runs (then it works in turns and tool calls). */
  has(agent: AgentSpec): boolean;
  /** Whether the model's call of `name` is one of this kind's tools of `agent`. */
  owns(agent: AgentSpec, name: string): boolean;
  /** The names the model may call, to tell it which exist when it calls one that does not. */
  names(agent: AgentSpec): string[];
  /**
   * Tokens the kind's definitions add to the agent's first request beyond its spec (which the
   * estimate counts already), at most; asked only under a token or USD cap, for agents that have
   * tools of this kind. A promise when the worker must be asked.
   */
  estimate(agent: AgentSpec): number | Promise<number>;
  /** The approval a call needs before it runs, if any. */
  approval(agent: AgentSpec, use: ToolUse): ToolApproval | undefined;
  /** Runs the call: its result, or an error result the model can recover from. */
  dispatch(call: ToolCall): Promise<ToolOutcome>;
}

import type { AgentCallResult } from '../../../activities/index.js';
import type { Decision, DecisionName } from '../../../team/decisions.js';

/** What an agent call returns: the activity's answer, named by the agent that gave it. */
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
   * ('troupe-skip-optional-members'), so their runs recorded before still replay as they ran.
   */
  skippable?: boolean | 'since-patch';
}

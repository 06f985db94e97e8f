import { defineQuery } from '@temporalio/workflow';
import type { Envelope, Usage } from '../team/index.js';

/** Shared by workflows and src/client: the names and shapes a run answers to. */

export interface RunProgress {
  team: string;
  topology: string;
  /** One line on what the run is doing now, also shown as the workflow's current details in the UI. */
  activity: string;
  /** The topology's shared state: the swarm's blackboard, the debate's positions, the supervisor's round ... */
  state: unknown;
  /** The latest envelopes (a long run keeps only the most recent ones in memory). */
  envelopes: Envelope[];
  /** Envelopes recorded across the whole run, continue-as-new included. */
  envelopeCount: number;
  usage: Usage;
  agentCalls: number;
  continuedAsNew: number;
}

/** Why a run stopped before its topology finished: the result is partial. */
export type StopReason = 'maxAgentCalls' | 'maxTokens' | 'maxRounds';

export interface RunResult {
  team: string;
  output: unknown;
  /** True when a limit ended the run early; `stoppedBy` says which. */
  partial: boolean;
  stoppedBy?: StopReason;
  usage: Usage;
  agentCalls: number;
  /** The latest envelopes; `envelopeCount` counts all of them. */
  transcript: Envelope[];
  envelopeCount: number;
  state: unknown;
  continuedAsNew: number;
  /** Things a reader should know about the result, e.g. a gate that never approved. */
  warnings: string[];
}

export const progressQuery = defineQuery<RunProgress>('progress');

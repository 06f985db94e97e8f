import { defineQuery } from '@temporalio/workflow';
import type { Envelope, Usage } from '../team/index.js';

/** Shared by workflows and src/client: the names and shapes a run answers to. */

export interface RunProgress {
  team: string;
  topology: string;
  /** One line on what the run is doing now, also shown as the workflow's current details in the UI. */
  activity: string;
  envelopes: Envelope[];
  usage: Usage;
  agentCalls: number;
}

export interface RunResult {
  team: string;
  output: unknown;
  usage: Usage;
  agentCalls: number;
  transcript: Envelope[];
  /** Things a reader should know about the result, e.g. a gate that never approved. */
  warnings: string[];
}

export const progressQuery = defineQuery<RunProgress>('progress');

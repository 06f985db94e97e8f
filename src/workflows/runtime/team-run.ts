import { ApplicationFailure, continueAsNew, workflowInfo } from '@temporalio/workflow';
import { FailureType, type RunSpec, type TopologySpec } from '../../team/index.js';
import type { RunResult } from '../messages.js';
import { AgentRunner } from './agent-runner.js';
import { Ledger, LimitReached } from './ledger.js';
import { Members } from './members.js';
import { parseRunSpec } from './run-spec.js';
import { Transcript } from './transcript.js';

type Kind = TopologySpec['kind'];
export type TopologyOf<K extends Kind> = Extract<TopologySpec, { kind: K }>;

/** Everything a topology works with during one run (one link of a continue-as-new chain). */
export class TeamRun {
  readonly ledger: Ledger;
  readonly transcript: Transcript;
  readonly members: Members;

  constructor(readonly run: RunSpec) {
    this.ledger = new Ledger(run);
    this.transcript = new Transcript(run, this.ledger);
    this.members = new Members(run, this.ledger, new AgentRunner(run, this.ledger), this.transcript);
  }

  /** The topology's state carried from the previous link of the chain, if this run continued-as-new. */
  carried<T>(): T | undefined {
    return this.run.carry?.state as T | undefined;
  }

  /**
   * Continues as new, carrying `state`, once the history is long (Temporal suggests it, or the
   * team's history limit is reached). Call it between rounds, where `state` is complete.
   */
  async continueIfLong(state: unknown): Promise<void> {
    const info = workflowInfo();
    if (!info.continueAsNewSuggested && info.historyLength < this.run.team.limits.historyEvents) return;
    await continueAsNew<(spec: RunSpec) => Promise<RunResult>>({ ...this.run, carry: this.transcript.carry(state) });
  }
}

/**
 * Runs a topology: validates the spec, gives the body a TeamRun, and turns a reached limit into a
 * flagged partial result instead of a failure.
 */
export async function runTopology<K extends Kind>(input: unknown, kind: K, body: (team: TeamRun, topology: TopologyOf<K>) => Promise<unknown>): Promise<RunResult> {
  const run = parseRunSpec(input);
  if (run.team.topology.kind !== kind) {
    throw ApplicationFailure.nonRetryable(`team "${run.team.name}" is a ${run.team.topology.kind}, not a ${kind}`, FailureType.InvalidTeamSpec);
  }
  const team = new TeamRun(run);
  try {
    const output = await body(team, run.team.topology as TopologyOf<K>);
    team.transcript.doing('done');
    return team.transcript.result(output);
  } catch (error) {
    if (!(error instanceof LimitReached)) throw error;
    team.transcript.warnings.push(`stopped early: ${error.reason} reached; the output is the latest work, not a finished answer`);
    team.transcript.doing(`stopped: ${error.reason} reached`);
    return team.transcript.result(team.transcript.latestOutput(), error.reason);
  }
}

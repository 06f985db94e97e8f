import { setCurrentDetails, setHandler } from '@temporalio/workflow';
import { ZERO_USAGE, addUsage, type Envelope, type RunSpec, type Usage } from '../../team/index.js';
import { progressQuery, type RunProgress, type RunResult } from '../messages.js';

/**
 * The run's record of handoffs and its token ledger, readable at any time through the `progress`
 * query and mirrored into the workflow's current details for the Temporal UI.
 */
export class Transcript {
  private readonly envelopes: Envelope[] = [];
  private usage: Usage = ZERO_USAGE;
  private agentCalls = 0;
  private activity = 'starting';
  readonly warnings: string[] = [];

  constructor(private readonly run: RunSpec) {
    setHandler(progressQuery, () => this.progress());
  }

  record(envelope: Omit<Envelope, 'seq' | 'at'>): Envelope {
    // The sandbox's Date is the time of the current workflow activation: deterministic on replay.
    const recorded = { ...envelope, seq: this.envelopes.length, at: new Date().toISOString() };
    this.envelopes.push(recorded);
    return recorded;
  }

  charge(usage: Usage): void {
    this.usage = addUsage(this.usage, usage);
    this.agentCalls += 1;
  }

  doing(activity: string): void {
    this.activity = activity;
    setCurrentDetails(`**${this.run.team.name}** (${this.run.team.topology.kind}): ${activity}`);
  }

  progress(): RunProgress {
    return {
      team: this.run.team.name,
      topology: this.run.team.topology.kind,
      activity: this.activity,
      envelopes: [...this.envelopes],
      usage: this.usage,
      agentCalls: this.agentCalls,
    };
  }

  result(output: unknown): RunResult {
    return {
      team: this.run.team.name,
      output,
      usage: this.usage,
      agentCalls: this.agentCalls,
      transcript: [...this.envelopes],
      warnings: [...this.warnings],
    };
  }
}

import {
  ApplicationFailure,
  ContinueAsNew,
  continueAsNew,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { FailureType } from '../../team/errors.js';
import type { ApprovalSpec } from '../../team/approval.js';
import type { TopologySpec } from '../../team/spec.js';
import type { RunSpec } from '../../protocol/run-spec.js';
import type { RunResult } from '../../protocol/messages.js';
import { SEARCH_ATTRIBUTES } from '../../protocol/run-interface.js';
import { Approvals } from './approvals.js';
import { workflowNow } from './clock.js';
import { Feed } from './feed/feed.js';
import type { FeedLogState } from './feed/feed-log.js';
import { Ledger } from './ledger/index.js';
import { LimitReached } from './limit-reached.js';
import { Members } from './members.js';
import { ModelTurns } from './model-turns.js';
import { reportSpendToParent } from './spend-report.js';
import { asText } from './prompt.js';
import { RunAttributes } from './run-attributes.js';
import { isCheckedRunSpec, parseRunSpec } from './run-spec.js';
import { Spending } from './spending.js';
import { Transcript } from './transcript.js';
import { isPatched } from './patches.js';

type Kind = TopologySpec['kind'];

export type TopologyOf<K extends Kind> = Extract<TopologySpec, { kind: K }>;

/** Everything a topology works with during one run (one link of a continue-as-new chain). */
export class TeamRun {
  readonly ledger: Ledger;
  readonly feed: Feed;
  readonly spending: Spending;
  readonly transcript: Transcript;
  readonly members: Members;
  readonly approvals: Approvals;
  readonly attributes: RunAttributes;
  /** Changes a person asked for when the team's answer was up for release, for the next attempt. */
  private requestedChanges: string | undefined;
  /** How many times the team's answer was sent back at its release gate, across continue-as-new. */
  releaseChanges: number;
  /** The topology's state carried into this link of the chain; dropped when the work starts afresh. */
  private carriedState: unknown;
  private readonly turns: ModelTurns;

  /** Its parts, each given what it depends on as it is built: the order below is their dependency order. */
  constructor(readonly run: RunSpec) {
    this.carriedState = run.carry?.state;
    this.releaseChanges = run.carry?.release?.changes ?? 0;
    this.requestedChanges = run.carry?.release?.comment;
    this.ledger = new Ledger(run, { now: workflowNow, isPatched });
    this.feed = new Feed(run);
    this.attributes = new RunAttributes(run, this.ledger);
    const attributes = this.attributes;
    this.transcript = new Transcript(run, this.ledger, this.feed, () => attributes.update());
    this.approvals = new Approvals(this.transcript, {
      team: run.team.name,
      searchAttributes: run.searchAttributes,
      onWaiting: (waiting) => attributes.update(waiting ? 'awaiting-approval' : 'running'),
    });
    this.spending = new Spending(run, this.ledger, this.approvals, this.transcript);
    this.turns = new ModelTurns(run.carry?.modelTurns);
    this.members = new Members(run, {
      ledger: this.ledger,
      spending: this.spending,
      transcript: this.transcript,
      approvals: this.approvals,
      turns: this.turns,
      task: () => this.task,
    });
    this.attributes.update('running');
  }

  /** The task as agents are given it: the run's input, plus any changes a person asked for. */
  get task(): unknown {
    if (this.requestedChanges === undefined) return this.run.input;
    return `${asText(this.run.input)}\n\nA reviewer sent the previous answer back, asking for these changes:\n${this.requestedChanges}`;
  }

  /**
   * Asks for a person's approval of `content`. Returns the comment when changes are requested
   * (the caller redoes the work with it), nothing on approval; throws ApprovalRejected on
   * rejection, on an expiry that rejects, or when changes were requested too often.
   */
  async approve(
    spec: ApprovalSpec,
    subject: { from: string; content: unknown },
    changesSoFar: number,
  ): Promise<string | undefined> {
    const decision = await this.approvals.request(spec, subject);
    if (decision.decision === 'approve') return undefined;
    if (decision.decision === 'request-changes' && changesSoFar < spec.maxChangeRequests)
      return decision.comment || 'revise the work';
    const reason =
      decision.decision === 'reject'
        ? `${decision.by} rejected "${spec.gate}"${decision.comment ? `: ${decision.comment}` : ''}`
        : `${decision.by} asked for changes on "${spec.gate}" more than ${spec.maxChangeRequests} time(s)`;
    throw ApplicationFailure.create({
      message: reason,
      type: FailureType.ApprovalRejected,
      nonRetryable: true,
      details: [decision],
    });
  }

  /**
   * Records the changes a person asked for on the team's answer. The topology then starts its work
   * afresh (whatever state was carried into this link belongs to the answer sent back), and agents
   * see the changes with the task.
   */
  requestChanges(comment: string): void {
    this.requestedChanges = comment;
    this.releaseChanges += 1;
    this.carriedState = undefined;
  }

  /**
   * Records the opening task envelope, handed to `to`, once per pass: not again in a link that
   * continues a pass (its state was carried), and again when a person's changes start a new pass.
   */
  begin(to: string): void {
    if (this.carriedState === undefined)
      this.transcript.record({ from: 'user', to, kind: 'task', content: this.run.input });
  }

  /** The topology's state carried from the previous link of the chain, if this pass continued-as-new. */
  carried<T>(): T | undefined {
    return this.carriedState as T | undefined;
  }

  /**
   * Continues as new, carrying `state`, once the history is long (Temporal suggests it, or the
   * team's history limit is reached). Call it between rounds, where `state` is complete. Not async:
   * a short history (nearly always) costs no promise; a long one returns the continue-as-new to await.
   */
  continueIfLong(state: unknown): Promise<never> | undefined {
    const info = workflowInfo();
    if (!info.continueAsNewSuggested && info.historyLength < this.run.team.limits.historyEvents && !this.feed.heavy)
      return undefined;
    const release =
      this.requestedChanges === undefined
        ? {}
        : { release: { changes: this.releaseChanges, comment: this.requestedChanges } };
    const next = (feed: FeedLogState | undefined) =>
      continueAsNew<(spec: RunSpec) => Promise<RunResult>>({
        ...this.run,
        carry: { ...this.transcript.carry(state), ...release, ...this.turns.carry(), ...(feed ? { feed } : {}) },
      });
    const feed = this.feed.continuing();
    return feed instanceof Promise ? feed.then(next) : next(feed);
  }
}

/**
 * Runs a topology: validates the spec, gives the body a TeamRun, and turns a reached limit into a
 * flagged partial result instead of a failure.
 */
export async function runTopology<K extends Kind>(
  input: unknown,
  kind: K,
  body: (team: TeamRun, topology: TopologyOf<K>) => Promise<unknown>,
): Promise<RunResult> {
  const run = isCheckedRunSpec(input) ? input : await parseRunSpec(input);
  if (run.team.topology.kind !== kind) {
    throw ApplicationFailure.nonRetryable(
      `team "${run.team.name}" is a ${run.team.topology.kind}, not a ${kind}`,
      FailureType.InvalidTeamSpec,
    );
  }
  const team = new TeamRun(run);
  // Added after runs were already in flight: the patch keeps their histories replayable
  // (test/fixtures/unpatched-workflows.ts is the same change without it, and breaks replay).
  if (run.searchAttributes && !run.startAttributes && isPatched('troupe-topology-search-attribute')) {
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.topology, value: kind }]);
  }
  const release = run.team.release;
  try {
    for (;;) {
      const output = await body(team, run.team.topology as TopologyOf<K>);
      const requested = release
        ? await team.approve(release, { from: run.team.name, content: output }, team.releaseChanges)
        : undefined;
      if (requested === undefined) {
        team.transcript.doing('done');
        team.attributes.update('completed');
        const ending = team.feed.end({ type: 'run-finished', path: [], partial: false });
        if (ending) await ending;
        return team.transcript.result(output);
      }
      team.requestChanges(requested);
    }
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    if (!(error instanceof LimitReached)) {
      team.attributes.update('failed');
      await reportSpendToParent(team.ledger, run.budget, error);
      const ending = team.feed.end({
        type: 'run-failed',
        path: [],
        message: (error as Error).message ?? String(error),
      });
      if (ending) await ending;
      throw error;
    }
    await team.spending.settled();
    team.transcript.warnings.push(
      `stopped early: ${error.reason} reached; the output is the latest work, not a finished answer`,
    );
    team.transcript.doing(`stopped: ${error.reason} reached`);
    team.attributes.update('partial');
    if (error.budget) team.transcript.budgetStopped(error.reason);
    const ending = team.feed.end({ type: 'run-finished', path: [], partial: true, stoppedBy: error.reason });
    if (ending) await ending;
    return team.transcript.result(team.transcript.latestOutput(), error.reason, error.budget);
  }
}

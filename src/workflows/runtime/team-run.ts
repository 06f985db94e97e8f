import {ApplicationFailure, ContinueAsNew, continueAsNew, upsertSearchAttributes, workflowInfo} from '@temporalio/workflow';
import { BUDGET_GATE } from '../../team/budget-gate.js';
import type { BudgetRaise } from '../../team/budget-raise.js';
import { FailureType } from '../../team/errors.js';
import type { ApprovalSpec } from '../../team/approval.js';
import type { TopologySpec } from '../../team/spec.js';
import type { RunSpec } from '../../protocol/run-spec.js';
import type { RunResult, StopReason } from '../../protocol/messages.js';
import { SEARCH_ATTRIBUTES } from '../../protocol/run-interface.js';
import { AgentRunner } from './agent-runner.js';
import { Approvals } from './approvals.js';
import { Ledger, LimitReached } from './ledger.js';
import { Members } from './members.js';
import { ModelTurns } from './model-turns.js';
import { reportSpendToParent } from './spend-report.js';
import { asText, renderPrompt } from './prompt.js';
import { RunAttributes } from './run-attributes.js';
import { isCheckedRunSpec, parseRunSpec } from './run-spec.js';
import { ToolLoop } from './tool-loop.js';
import { Transcript } from './transcript.js';
import { isPatched } from './patches.js';

type Kind = TopologySpec['kind'];

export type TopologyOf<K extends Kind> = Extract<TopologySpec, { kind: K }>;

/** Everything a topology works with during one run (one link of a continue-as-new chain). */
export class TeamRun {
  readonly ledger: Ledger;
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

  constructor(readonly run: RunSpec) {
    this.carriedState = run.carry?.state;
    this.releaseChanges = run.carry?.release?.changes ?? 0;
    this.requestedChanges = run.carry?.release?.comment;
    this.ledger = new Ledger(run);
    this.transcript = new Transcript(run, this.ledger);
    this.approvals = new Approvals(this.transcript, {
      team: run.team.name,
      searchAttributes: run.searchAttributes,
      onWaiting: (waiting) => this.attributes.update(waiting ? 'awaiting-approval' : 'running'),
    });
    this.turns = new ModelTurns(run.carry?.modelTurns);
    const tools = new ToolLoop(run, this.ledger, this.transcript, this.approvals, this.turns);
    const agents = new AgentRunner(run, this.ledger, tools, this.turns);
    this.members = new Members(run, this.ledger, agents, this.transcript);
    tools.delegate = (member, task, about) => this.members.call(member, renderPrompt({ instruction: task, task: this.task }), { about });
    this.ledger.onNotice = (notice) => this.transcript.notice(notice);
    this.ledger.askForMore = (reason, check) => this.askForMore(reason, check);
    this.attributes = new RunAttributes(run, this.ledger);
    this.transcript.onStage = () => this.attributes.update();
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
  async approve(spec: ApprovalSpec, subject: { from: string; content: unknown }, changesSoFar: number): Promise<string | undefined> {
    const decision = await this.approvals.request(spec, subject);
    if (decision.decision === 'approve') return undefined;
    if (decision.decision === 'request-changes' && changesSoFar < spec.maxChangeRequests) return decision.comment || 'revise the work';
    const reason =
      decision.decision === 'reject'
        ? `${decision.by} rejected "${spec.gate}"${decision.comment ? `: ${decision.comment}` : ''}`
        : `${decision.by} asked for changes on "${spec.gate}" more than ${spec.maxChangeRequests} time(s)`;
    throw ApplicationFailure.create({ message: reason, type: FailureType.ApprovalRejected, nonRetryable: true, details: [decision] });
  }

  /**
   * Waits at the "budget" gate for a person to raise the exhausted budget (listed by `troupe
   * pending`, decided with `troupe budget raise` or a decision carrying `raise`). Resolves with the
   * raise, or undefined when it was rejected or the wait expired.
   */
  private async askForMore(reason: StopReason, check: (raise: BudgetRaise | undefined) => string | undefined): Promise<BudgetRaise | undefined> {
    const budget = this.ledger.budget;
    const spec: ApprovalSpec = {
      gate: BUDGET_GATE,
      approvers: budget?.approvers ?? ['*'],
      when: 'always',
      timeout: budget?.askTimeout ?? 86_400_000,
      onTimeout: 'reject',
      remindBefore: [],
      maxChangeRequests: 0,
    };
    const spent = { calls: this.ledger.agentCalls, tokens: this.ledger.tokens, ...(this.ledger.costUsd !== undefined ? { costUsd: this.ledger.costUsd } : {}) };
    const decision = await this.approvals.request(spec, { from: this.run.team.name, content: { exhausted: reason, budget, spent } }, (d) =>
      d.decision === 'approve' ? check(d.raise) : d.decision === 'reject' ? undefined : 'the budget gate takes approve (with a raise) or reject',
    );
    return decision.decision === 'approve' ? decision.raise : undefined;
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
    if (this.carriedState === undefined) this.transcript.record({ from: 'user', to, kind: 'task', content: this.run.input });
  }

  /** The topology's state carried from the previous link of the chain, if this pass continued-as-new. */
  carried<T>(): T | undefined {
    return this.carriedState as T | undefined;
  }

  /**
   * Continues as new, carrying `state`, once the history is long (Temporal suggests it, or the
   * team's history limit is reached). Call it between rounds, where `state` is complete.
   */
  async continueIfLong(state: unknown): Promise<void> {
    const info = workflowInfo();
    if (!info.continueAsNewSuggested && info.historyLength < this.run.team.limits.historyEvents) return;
    const release = this.requestedChanges === undefined ? {} : { release: { changes: this.releaseChanges, comment: this.requestedChanges } };
    await continueAsNew<(spec: RunSpec) => Promise<RunResult>>({ ...this.run, carry: { ...this.transcript.carry(state), ...release, ...this.turns.carry() } });
  }
}

/**
 * Runs a topology: validates the spec, gives the body a TeamRun, and turns a reached limit into a
 * flagged partial result instead of a failure.
 */
export async function runTopology<K extends Kind>(input: unknown, kind: K, body: (team: TeamRun, topology: TopologyOf<K>) => Promise<unknown>): Promise<RunResult> {
  const run = isCheckedRunSpec(input) ? input : await parseRunSpec(input);
  if (run.team.topology.kind !== kind) {
    throw ApplicationFailure.nonRetryable(`team "${run.team.name}" is a ${run.team.topology.kind}, not a ${kind}`, FailureType.InvalidTeamSpec);
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
      const requested = release ? await team.approve(release, { from: run.team.name, content: output }, team.releaseChanges) : undefined;
      if (requested === undefined) {
        team.transcript.doing('done');
        team.attributes.update('completed');
        return team.transcript.result(output);
      }
      team.requestChanges(requested);
    }
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    if (!(error instanceof LimitReached)) {
      team.attributes.update('failed');
      await reportSpendToParent(team.ledger, run.budget, error);
      throw error;
    }
    await team.ledger.settled();
    team.transcript.warnings.push(`stopped early: ${error.reason} reached; the output is the latest work, not a finished answer`);
    team.transcript.doing(`stopped: ${error.reason} reached`);
    team.attributes.update('partial');
    return team.transcript.result(team.transcript.latestOutput(), error.reason, error.budget);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { isGrpcCancelledError, isGrpcDeadlineError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  BUDGET_GATE,
  type ApprovalDecisionInput,
  type BudgetRaise,
  type BudgetSpecInput,
  type Team,
  type TeamRegistry,
} from '../team/index.js';
import { ClientError } from './errors.js';
import { checkBudgetPrices, parseRunBudget } from './budget.js';
import { buildRunSpec, type Envelope, type Prices } from '../protocol/index.js';
import {
  SEARCH_ATTRIBUTES,
  decideUpdate,
  decisionSignal,
  progressQuery,
  type AwaitingApproval,
  type DecisionReceipt,
  type RunProgress,
  type RunResult,
} from '../protocol/messages.js';
import { summarise } from '../protocol/text.js';
import { defaultTaskQueue } from '../hosting/task-queue.js';
import { fetchRunHistory } from './history/fetch-history.js';
import { messages } from './error-messages.js';
import { streamFeed, type StreamOptions } from './feed-stream.js';
import type { FeedItem } from '../protocol/feed-events.js';
import { findGateSubject, type GateSubject } from './history/gate-subject.js';

/** Options of {@link TroupeClient.start}. */
export interface StartOptions {
  /** The run's workflow id; default `<team>-<random>`. */
  workflowId?: string;
  /** The task queue its workflow runs on; default the client's. */
  taskQueue?: string;
  /** A budget for this run, in place of the team's (see BudgetSpecSchema): tokens, usd, time, calls. */
  budget?: BudgetSpecInput;
  /** How the run streams its agents' text into its feed: its own batch interval, or false for no text (steps only). */
  stream?: { batchMs?: number } | false;
}

/** What follow() reports while a run works; 'awaiting' once each time the run starts waiting on a gate (or it escalates). */
export type RunEvent =
  | { kind: 'activity'; text: string }
  | { kind: 'envelope'; envelope: Envelope }
  | { kind: 'awaiting'; awaiting: AwaitingApproval };

/** A run as {@link TroupeClient.list} lists it, from its search attributes. */
export interface ListedRun {
  workflowId: string;
  team: string | undefined;
  topology: string;
  status: string;
  tokens: number | undefined;
  costUsd: number | undefined;
  startTime: Date;
}

/** A run waiting for a person's decision, as `TroupeClient.pending` lists it. */
export interface PendingRun {
  workflowId: string;
  team: string | undefined;
  /** For a sub-team's gate: the run it works for. Decide on `workflowId` (the sub-team's own run). */
  parentWorkflowId: string | undefined;
  startTime: Date;
  /**
   * The gate it waits on. `subject` is the run's one-line summary of what is asked; `from` and
   * `content` are that, whole (a tool call's `{ tool, input }`, an agent's output), read from the
   * run's history: absent when it holds no such value (a budget gate) or cannot be read.
   */
  awaiting: (AwaitingApproval & Partial<GateSubject>) | undefined;
}

/** Where a run stands, as {@link RunHandle.status} reads it: Temporal's status, and live progress while it runs. */
export interface RunStatus {
  workflowId: string;
  runId: string;
  team: string | undefined;
  status: string;
  startTime: Date;
  closeTime: Date | undefined;
  /** Live progress, when a worker answered the query. */
  progress: RunProgress | undefined;
  /**
   * Why a running run has no `progress`: 'no-worker' when no worker answered within the deadline,
   * else the query's error message. Absent when progress came back, or the run is closed.
   */
  progressError?: string;
}

/** The programmatic API: start runs, follow them, read their status and results. */
export class TroupeClient {
  readonly taskQueue: string;
  /** Whether the cluster has Troupe's search attributes (see ensureSearchAttributes). */
  readonly searchAttributes: boolean;
  /** Model prices for cost estimates (see loadPrices). */
  readonly prices: Prices;

  /**
   * `teams` is needed to start runs only: reading runs (status, list, pending, history) and
   * deciding approvals never load a teams module.
   */
  constructor(
    readonly client: Client,
    readonly teams: TeamRegistry | undefined,
    options: { taskQueue?: string; searchAttributes?: boolean; prices?: Prices } = {},
  ) {
    this.taskQueue = options.taskQueue ?? defaultTaskQueue();
    this.searchAttributes = options.searchAttributes ?? false;
    this.prices = options.prices ?? {};
  }

  /** Validates the team and input, then starts the run. Nothing starts if either is invalid. */
  async start(teamName: string, input: unknown, options: StartOptions = {}): Promise<RunHandle> {
    if (!this.teams)
      throw new ClientError(
        'NO_TEAMS',
        'This TroupeClient was made without teams: pass a TeamRegistry of your teams to start runs.',
      );
    const team = this.teams.get(teamName);
    const runBudget = options.budget === undefined ? undefined : parseRunBudget(options.budget);
    const spec = {
      ...buildRunSpec(team, input, options.stream),
      searchAttributes: this.searchAttributes,
      prices: this.prices,
      ...(runBudget ? { runBudget } : {}),
      ...(this.searchAttributes ? { startAttributes: true as const, spendingWrittenAtStart: true as const } : {}),
    };
    checkBudgetPrices(team, runBudget ?? team.spec.budget, this.prices);
    const workflowId = options.workflowId ?? `${team.name}-${randomUUID().slice(0, 8)}`;
    const handle = await this.client.workflow.start(spec.team.topology.kind, {
      workflowId,
      taskQueue: options.taskQueue ?? this.taskQueue,
      args: [spec],
      staticSummary: `${team.name} (${spec.team.topology.kind}): ${summarise(spec.input)}`,
      staticDetails: describeTeam(team),
      memo: { team: team.name },
      ...(this.searchAttributes
        ? {
            typedSearchAttributes: [
              { key: SEARCH_ATTRIBUTES.team, value: team.name },
              { key: SEARCH_ATTRIBUTES.awaitingApproval, value: false },
              { key: SEARCH_ATTRIBUTES.topology, value: spec.team.topology.kind },
              { key: SEARCH_ATTRIBUTES.status, value: 'running' },
              { key: SEARCH_ATTRIBUTES.tokens, value: 0 },
            ],
          }
        : {}),
    });
    return new RunHandle(handle);
  }

  /** Troupe runs, newest first, filtered by Troupe's search attributes (and any extra list query). */
  async list(filter: { team?: string; status?: string; query?: string } = {}, limit = 50): Promise<ListedRun[]> {
    const clauses = [`${SEARCH_ATTRIBUTES.team.name} IS NOT NULL`];
    if (filter.team) clauses.push(`${SEARCH_ATTRIBUTES.team.name} = '${filter.team.replace(/'/g, '')}'`);
    if (filter.status) clauses.push(`${SEARCH_ATTRIBUTES.status.name} = '${filter.status.replace(/'/g, '')}'`);
    if (filter.query) clauses.push(`(${filter.query})`);
    const runs: ListedRun[] = [];
    for await (const execution of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      const attributes = execution.typedSearchAttributes;
      runs.push({
        workflowId: execution.workflowId,
        team: attributes.get(SEARCH_ATTRIBUTES.team),
        topology: attributes.get(SEARCH_ATTRIBUTES.topology) ?? execution.type,
        status: attributes.get(SEARCH_ATTRIBUTES.status) ?? execution.status.name.toLowerCase(),
        tokens: attributes.get(SEARCH_ATTRIBUTES.tokens),
        costUsd: attributes.get(SEARCH_ATTRIBUTES.costUsd),
        startTime: execution.startTime,
      });
      if (runs.length >= limit) break;
    }
    return runs;
  }

  /** Runs waiting for a person's decision, newest first (needs Troupe's search attributes). */
  async pending(limit = 100): Promise<PendingRun[]> {
    const found: PendingRun[] = [];
    const query = `${SEARCH_ATTRIBUTES.awaitingApproval.name} = true AND ExecutionStatus = 'Running'`;
    for await (const execution of this.client.workflow.list({ query })) {
      const progress = await this.run(execution.workflowId).progress();
      const awaiting = progress?.awaiting ?? undefined;
      // The run keeps the subject cut short (it is in every progress answer): the history holds it whole.
      const whole = awaiting
        ? await fetchRunHistory(this.client, execution.workflowId).then(
            (history) => findGateSubject(history, awaiting.subject),
            () => undefined,
          )
        : undefined;
      found.push({
        workflowId: execution.workflowId,
        team: execution.typedSearchAttributes.get(SEARCH_ATTRIBUTES.team) ?? progress?.team,
        parentWorkflowId: execution.parentExecution?.workflowId ?? undefined,
        startTime: execution.startTime,
        awaiting: awaiting && { ...awaiting, ...whole },
      });
      if (found.length >= limit) break;
    }
    return found;
  }

  /** A handle on an existing run. */
  run(workflowId: string): RunHandle {
    return new RunHandle(this.client.workflow.getHandle(workflowId));
  }

  /** The live feed of run `workflowId` and its whole tree (see {@link RunHandle.stream}). */
  stream(workflowId: string, options: StreamOptions = {}): AsyncGenerator<FeedItem> {
    return streamFeed(this.client.workflow, workflowId, options);
  }
}

/** One run: follow it, decide its gates, raise its budget, read its status and result. */
export class RunHandle {
  constructor(readonly handle: WorkflowHandle) {}

  get workflowId(): string {
    return this.handle.workflowId;
  }

  /**
   * The run tree's live feed: every agent's text as it is written, tool calls, handoffs, approvals,
   * budget notices, sub-teams' events (labelled by member path), up to the run's end. Resume after
   * a disconnect with `from` set to the offset after the last item you had: nothing is lost or
   * repeated, across continue-as-new too. Throws ClientError for a run that is not there, an offset
   * out of range, or a run without a feed.
   */
  stream(options: StreamOptions = {}): AsyncGenerator<FeedItem> {
    return streamFeed(this.handle.client, this.handle.workflowId, options);
  }

  /** The run's output once it finishes; throws WorkflowFailedError if it failed. */
  result(): Promise<RunResult> {
    return this.handle.result() as Promise<RunResult>;
  }

  /**
   * Decides the waiting approval through the run's update: resolves with the receipt once the run
   * accepted it, or throws WorkflowUpdateFailedError with the reason it was refused.
   */
  decide(decision: ApprovalDecisionInput): Promise<DecisionReceipt> {
    return this.handle.executeUpdate(decideUpdate, { args: [decision] });
  }

  /**
   * Raises the budget of a run waiting at its "budget" gate (`onExhausted: 'ask'`): `raise` holds the
   * new caps, each above the current one. Refused (WorkflowUpdateFailedError) by anyone not an approver.
   */
  raiseBudget(by: string, raise: BudgetRaise, comment = ''): Promise<DecisionReceipt> {
    return this.decide({ gate: BUDGET_GATE, by, decision: 'approve', comment, raise });
  }

  /** Sends a decision without waiting to learn whether it applies (it is recorded either way). */
  signalDecision(decision: ApprovalDecisionInput): Promise<void> {
    return this.handle.signal(decisionSignal, decision);
  }

  /** Live progress, or undefined when no worker answers within a few seconds (none may be running). */
  async progress(deadlineMs = 3_000): Promise<RunProgress | undefined> {
    const answer = await this.queryProgress(deadlineMs);
    return 'progress' in answer ? answer.progress : undefined;
  }

  /** The progress query's answer, or why none came: 'no-worker' when none answered before the deadline. */
  private async queryProgress(deadlineMs: number): Promise<{ progress: RunProgress } | { error: string }> {
    const deadline = Date.now() + deadlineMs;
    try {
      return { progress: await this.handle.client.withDeadline(deadline, () => this.handle.query(progressQuery)) };
    } catch (error) {
      return { error: noWorker(error, deadline) ? 'no-worker' : messages(error) };
    }
  }

  /** The run's status from Temporal, with live progress while it runs (a closed run is not queried). */
  async status(): Promise<RunStatus> {
    const description = await this.handle.describe();
    const memoTeam = description.memo?.['team'];
    // A closed run's record is its result; querying it would need a worker to replay it.
    const answer = description.status.name === 'RUNNING' ? await this.queryProgress(3_000) : undefined;
    return {
      workflowId: description.workflowId,
      runId: description.runId,
      team: typeof memoTeam === 'string' ? memoTeam : undefined,
      status: description.status.name,
      startTime: description.startTime,
      closeTime: description.closeTime,
      progress: answer && 'progress' in answer ? answer.progress : undefined,
      ...(answer && 'error' in answer ? { progressError: answer.error } : {}),
    };
  }

  /**
   * Reports each handoff and each change of what the run is doing, as they happen, until the run
   * closes. Polls the run's progress query; a run that is not picked up yet simply reports nothing.
   */
  async *follow(pollMs = 250): AsyncGenerator<RunEvent> {
    // Envelopes are tracked by sequence number: a long run keeps only its latest ones in memory.
    let next = 0;
    let activity = '';
    let waitingOn = '';
    const closed = this.handle.result().then(
      () => true,
      () => true,
    );
    const fresh = function* (envelopes: Envelope[]): Generator<RunEvent> {
      for (const envelope of envelopes) {
        if (envelope.seq < next) continue;
        next = envelope.seq + 1;
        yield { kind: 'envelope', envelope };
      }
    };
    for (;;) {
      const done = await Promise.race([closed, sleep(pollMs).then(() => false)]);
      const progress = await this.progress();
      if (progress) {
        yield* fresh(progress.envelopes);
        if (progress.activity !== activity) {
          activity = progress.activity;
          yield { kind: 'activity', text: activity };
        }
        // A gate asked again (after request-changes) or escalated has a new deadline: it is reported again.
        const gate = progress.awaiting
          ? JSON.stringify([progress.awaiting.gate, progress.awaiting.deadline, progress.awaiting.escalated])
          : '';
        if (gate !== waitingOn) {
          waitingOn = gate;
          if (progress.awaiting) yield { kind: 'awaiting', awaiting: progress.awaiting };
        }
      }
      if (done) {
        const result = await this.result().catch(() => undefined);
        yield* fresh(result?.transcript ?? []);
        return;
      }
    }
  }
}

/**
 * A query no worker answered: none before the deadline, or the server already knows none polls
 * ("no poller seen for task queue recently", FAILED_PRECONDITION). The deadline can end the call
 * either way: the client's own timer (DEADLINE_EXCEEDED), or the server giving up on the query at
 * the deadline it was sent and resetting the stream (CANCELLED, "Call cancelled"), which wins when the
 * client's event loop is busy as the deadline passes. The client never cancels the query itself, so a
 * CANCELLED once the deadline has passed is the deadline.
 */
function noWorker(error: unknown, deadline: number): boolean {
  if (isGrpcDeadlineError(error)) return true;
  if (isGrpcCancelledError(error) && Date.now() >= deadline) return true;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if ((e as { code?: unknown }).code === GRPC_FAILED_PRECONDITION && /no poller/i.test(e.message)) return true;
  }
  return false;
}

const GRPC_FAILED_PRECONDITION = 9;

function describeTeam(team: Team): string {
  const agents = team.spec.agents.map((a) => `- **${a.name}**: ${a.role}, ${a.model}`);
  return [`**${team.name}** (${team.spec.topology.kind}): ${team.spec.description}`, '', ...agents].join('\n');
}

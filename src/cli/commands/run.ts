import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { type BudgetSpecInput, type Team } from '../../team/index.js';
import { CliError } from '../errors.js';
import { checkBudgetPrices, parseRunBudget } from '../../client/budget.js';
import { buildRunSpec } from '../../protocol/index.js';
import { configuredCluster, type TemporalTarget } from '../../hosting/index.js';
import { describeFailure } from '../../client/failure.js';
import { loadPrices } from '../prices.js';
import { RunPrinter, formatResult, runUrl } from '../render.js';
import { LiveFeedView, wantsLiveView } from '../render-feed.js';
import { ClientError } from '../../client/errors.js';
import { TroupeClient, type RunHandle } from '../../client/troupe-client.js';
import { openLocalStack, untilInterrupted, type LocalStack } from '../local-stack.js';
import { decideHint } from '../decide-hint.js';
import { shownPath, workerLog } from '../worker-log.js';

export interface RunCommandOptions {
  json?: boolean;
  detach?: boolean;
  worker?: boolean;
  teams?: string;
  taskQueue?: string;
  workflowId?: string;
  inputFile?: string;
  port?: number;
  uiPort?: number;
  /** Keep the embedded server and UI up after the run (default: in a terminal, outside CI). */
  keepAlive?: boolean;
  /** Caps for this run, over the team's budget (--budget-calls, --budget-tokens, --budget-usd, --budget-time). */
  budgetCalls?: number;
  budgetTokens?: number;
  budgetUsd?: number;
  budgetTime?: string;
  /** false (--no-stream): step lines only, in a terminal too. */
  stream?: boolean;
}

/** `troupe run <team> [input]`: start a run and follow it to its result. Returns the process exit code. */
export async function runCommand(teamName: string, inputWords: string[], options: RunCommandOptions): Promise<number> {
  const input = readInput(inputWords, options.inputFile);
  const workflowId = options.workflowId;
  const embedded = configuredCluster() === undefined;
  if (options.detach && embedded) {
    throw new CliError(
      'DETACH_NEEDS_CLUSTER',
      '--detach needs a Temporal cluster that outlives this command: start `troupe dev` in another terminal and set TEMPORAL_ADDRESS=localhost:7233, or point TEMPORAL_ADDRESS at your cluster.',
    );
  }
  const prices = loadPrices();
  const printer = new RunPrinter(options.json ? process.stderr : process.stdout);
  // In a terminal, each agent's text as it is written; --json, --no-stream and a pipe keep the step lines.
  const live = !options.json && options.stream !== false && wantsLiveView(process.stdout);
  const view = live ? new LiveFeedView(process.stdout) : undefined;
  // Every line goes through the one that owns the terminal's current line.
  const out: Lines = view ?? printer;
  workerLog()?.onFirstEntry((file) =>
    out.line(`  (the worker's warnings are in ${shownPath(file)}; --verbose prints them here)`),
  );
  const stack = await openLocalStack({
    teams: options.teams,
    taskQueue: options.taskQueue,
    port: options.port,
    uiPort: options.uiPort,
    worker: options.worker !== false && !options.detach,
    runs: teamName,
    validate: (teams) => {
      const team = teams.registry.get(teamName);
      checkRunSpecSize(buildRunSpec(team, input));
      const budget = runBudget(team, options);
      if (budget) checkBudgetPrices(team, parseRunBudget(budget), prices);
    },
    checkTarget: workflowId ? (target) => refuseRunningId(target, workflowId) : undefined,
  });
  try {
    const troupe = new TroupeClient(stack.target.client, stack.teams.registry, {
      taskQueue: stack.taskQueue,
      searchAttributes: stack.searchAttributes,
      prices,
    });
    const budget = runBudget(stack.teams.registry.get(teamName), options);
    const run = await troupe
      .start(teamName, input, { ...(workflowId ? { workflowId } : {}), ...(budget ? { budget } : {}) })
      .catch((error: unknown) => {
        // Started by someone else since refuseRunningId looked: the server refused, the other run is untouched.
        if (error instanceof WorkflowExecutionAlreadyStartedError) throw alreadyRunning(error.workflowId);
        throw error;
      });
    const url = runUrl(stack.target.uiUrl, stack.target.namespace, run.workflowId);
    if (options.detach) {
      if (options.json)
        console.log(JSON.stringify({ workflowId: run.workflowId, status: 'RUNNING', uiUrl: url ?? null }));
      else console.log(run.workflowId);
      return 0;
    }

    const interrupted = untilInterrupted().then(() => 'interrupted' as const);
    const finished = followToOutcome(teamName, run, stack, { printer, view }, options, url);
    const outcome = await Promise.race([finished, interrupted]);
    if (outcome === 'interrupted') {
      out.line(
        `\nInterrupted. Run ${run.workflowId} is kept durably and continues where it stopped when a worker is back: ` +
          (stack.target.kind === 'embedded' ? '`npx troupe dev` reopens the same data.' : 'start `npx troupe worker`.'),
      );
      return 130;
    }

    const keepAlive =
      options.keepAlive ??
      (stack.target.kind === 'embedded' && Boolean(process.stdout.isTTY) && !process.env['CI'] && !options.json);
    if (keepAlive && url) {
      out.line(
        `\nThe Temporal server and UI stay up so the link works: ${url}\nPress Ctrl-C to stop. Later, \`npx troupe dev\` reopens the UI on the same data.`,
      );
      await interrupted;
    }
    return outcome.ok ? 0 : 1;
  } finally {
    // The embedded server may already be gone (Ctrl-C reaches it too): do not wait on it for long.
    await Promise.race([stack.close(), sleep(3_000)]);
  }
}

/** What prints a line of the command's own. */
interface Lines {
  line(text: string): void;
}

/**
 * Follows the run to its end, printing each agent's text as it is written and the steps (live),
 * or the handoffs (or, with --json, one JSON document). True when it completed.
 */
async function followToOutcome(
  teamName: string,
  run: RunHandle,
  stack: LocalStack,
  { printer, view }: { printer: RunPrinter; view: LiveFeedView | undefined },
  options: RunCommandOptions,
  url: string | undefined,
): Promise<{ ok: boolean }> {
  const out: Lines = view ?? printer;
  const quiet = Boolean(options.json);
  if (!quiet || stack.model.mode === 'offline') out.line(stack.model.description);
  if (!quiet) {
    out.line(
      `Run ${run.workflowId}: team ${teamName} on ${stack.target.kind === 'embedded' ? 'the embedded Temporal dev server' : stack.target.address}`,
    );
    if (url) out.line(`Temporal UI: ${url}`);
    if (!stack.worker)
      out.line(
        `No worker in this process: a \`troupe worker\` on task queue "${stack.taskQueue}" will pick the run up.`,
      );
  }
  if (!view || !(await showLive(run, view, stack))) {
    // Followed with --json too, for a gate: a run waiting on a person says how to decide (on stderr, then).
    for await (const event of run.follow()) {
      if (event.kind === 'awaiting')
        for (const line of decideHint(run.workflowId, event.awaiting, stack.target)) printer.line(line);
      else if (quiet) continue;
      else if (event.kind === 'envelope') printer.envelope(event.envelope);
      else printer.status(event.text);
    }
  }
  const outcome = await run.result().then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, failure: describeFailure(error) }),
  );
  if (options.json) {
    const base = { workflowId: run.workflowId, provider: stack.model.mode, uiUrl: url ?? null };
    console.log(
      JSON.stringify(
        outcome.ok
          ? { ...base, status: 'COMPLETED', result: outcome.result }
          : { ...base, status: 'FAILED', failure: outcome.failure },
      ),
    );
  } else if (outcome.ok) {
    out.line(formatResult(outcome.result));
  } else {
    out.line(`\nRun failed${outcome.failure.type ? ` (${outcome.failure.type})` : ''}: ${outcome.failure.message}`);
  }
  return outcome;
}

/**
 * The run's live feed, to its end. False when the feed cannot be read (a worker from before live
 * feeds runs it): the caller follows the steps instead.
 */
async function showLive(run: RunHandle, view: LiveFeedView, stack: LocalStack): Promise<boolean> {
  view.options.hint = (awaiting, gateRun) => decideHint(gateRun ?? run.workflowId, awaiting, stack.target);
  try {
    for await (const item of run.stream()) view.show(item);
    view.end();
    return true;
  } catch (error) {
    if (!ClientError.isInstance(error)) throw error;
    view.line(`  (the run's live feed cannot be read, so its steps follow: ${error.message})`);
    return false;
  }
}

/**
 * The largest run spec (team, sub-teams and input, as JSON) `troupe run` starts. Temporal refuses any
 * payload over 2 MB (its blob size limit); the margin leaves room for what the workflow adds to it.
 */
const MAX_RUN_SPEC_BYTES = 1_500_000;

function checkRunSpecSize(spec: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(spec), 'utf8');
  if (bytes > MAX_RUN_SPEC_BYTES) {
    throw new CliError(
      'INPUT_TOO_LARGE',
      `The run's input is too large: with the team's spec it is ${(bytes / 1e6).toFixed(1)} MB as JSON, and troupe run starts at most ${MAX_RUN_SPEC_BYTES / 1e6} MB (${MAX_RUN_SPEC_BYTES.toLocaleString('en-US')} bytes) because Temporal refuses payloads over 2 MB. ` +
        'Put the large content where the agents can read it (a file path or a URL) and give the team a short task that points to it.',
    );
  }
}

/** The --budget-* caps over the team's own budget (its other settings, e.g. onExhausted, kept), or nothing without any. */
function runBudget(team: Team, options: RunCommandOptions): BudgetSpecInput | undefined {
  const caps = {
    ...(options.budgetCalls !== undefined ? { calls: options.budgetCalls } : {}),
    ...(options.budgetTokens !== undefined ? { tokens: options.budgetTokens } : {}),
    ...(options.budgetUsd !== undefined ? { usd: options.budgetUsd } : {}),
    ...(options.budgetTime !== undefined ? { time: options.budgetTime } : {}),
  };
  return Object.keys(caps).length ? { ...team.spec.budget, ...caps } : undefined;
}

/** Starting a run under the id of one that is running would fail after our worker had joined in: refuse first. */
async function refuseRunningId(target: TemporalTarget, workflowId: string): Promise<void> {
  const description = await target.client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((error: unknown) => {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    });
  if (description?.status.name === 'RUNNING') throw alreadyRunning(workflowId);
}

function alreadyRunning(workflowId: string): CliError {
  return new CliError(
    'RUN_ALREADY_RUNNING',
    `A run with workflow id "${workflowId}" is already running, and keeps running untouched: follow it with \`troupe status ${workflowId}\`, or pass another --workflow-id to start a new run.`,
  );
}

function readInput(words: string[], inputFile: string | undefined): unknown {
  if (inputFile === undefined) return words.join(' ');
  let bytes: Buffer;
  try {
    bytes = readFileSync(inputFile);
  } catch (error) {
    throw new CliError('INPUT_NOT_READ', `Cannot read --input-file "${inputFile}": ${(error as Error).message}`);
  }
  let text: string;
  try {
    // Fatal: replacement characters would silently change the task the agents see.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(
      'INPUT_NOT_UTF8',
      `--input-file "${inputFile}" is not UTF-8 text: convert it to UTF-8 (e.g. \`iconv -f latin1 -t utf-8\`) and try again.`,
    );
  }
  if (!inputFile.endsWith('.json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError('INPUT_NOT_JSON', `--input-file "${inputFile}" is not valid JSON: ${(error as Error).message}`);
  }
}

import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { TroupeError } from '../team/index.js';
import { WORKER_LIMIT_SETTINGS } from './worker-flags.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The `troupe` CLI. Exit codes: 0 done, 1 the run failed, 2 bad input or setup (the message says the fix). */
const program = new Command('troupe')
  .description('Durable multi-agent LLM orchestration on Temporal')
  .version(version)
  .showHelpAfterError()
  // Parser errors throw (caught at the bottom) instead of exiting 1, so they exit 2 like all bad input.
  // Set before the commands are added: each command copies it.
  .exitOverride()
  .option('--teams <module>', 'teams module exporting `teams` (default: TROUPE_TEAMS, else the bundled examples)')
  .option('--task-queue <name>', 'Temporal task queue (default: TROUPE_TASK_QUEUE, else "troupe")')
  .addHelpText(
    'after',
    `
Settings (environment; README.md has them all):
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_PROFILE, ...
                       use that Temporal cluster, read as every Temporal tool reads them (default: the embedded server)
  TROUPE_DEV_PORT      gRPC port of the embedded server (default 7233; 0 = any free port). Commands that read runs
                       (status, pending, approve, list, ...) look for \`troupe dev\` there, else where its record
                       under TROUPE_HOME says it listens, else at localhost:7233
  TROUPE_UI_PORT       Web UI port of the embedded server (default 8233; 0 = any free port)
  TROUPE_HOME          the embedded server's data, its record and log, and the workers' files (default ./.troupe)
  ANTHROPIC_API_KEY    agents call Claude (without it: offline scripted replies)`,
  );

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('use a port from 0 to 65535 (0 picks a free one)');
  return n;
};

const positiveInteger = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('use a positive whole number, e.g. 20');
  return n;
};

const offset = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(
      'use a feed offset, a whole number from 0 (troupe follow prints the one to read on from when stopped), or --from-now',
    );
  return n;
};

const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('use a positive number, e.g. 0.50');
  return n;
};

/** The statuses Troupe records on a run (its TroupeStatus search attribute). */
const RUN_STATUSES = ['running', 'awaiting-approval', 'completed', 'partial', 'failed'];

program
  .command('run')
  .description('start a run of a team and follow it to its result')
  .argument('<team>', 'team name')
  .argument('[input...]', 'the task for the team')
  .option('--input-file <path>', 'read the input from a file (parsed as JSON if it ends in .json)')
  .option('--json', 'print one JSON document with the outcome (progress is not printed)')
  .option('--detach', 'start the run and print its workflow id at once (needs TEMPORAL_ADDRESS)')
  .option('--no-worker', 'do not run a worker in this process (use a `troupe worker` elsewhere)')
  .option('--workflow-id <id>', 'workflow id for the run (default: <team>-<random>)')
  .option('--port <port>', 'embedded server gRPC port (default: TROUPE_DEV_PORT, else 7233; 0 = any free port)', port)
  .option('--ui-port <port>', 'embedded server UI port (default: TROUPE_UI_PORT, else 8233; 0 = any free port)', port)
  .option('--exit', 'exit when the run ends, even in a terminal')
  .option(
    '--no-stream',
    "in a terminal too, print the step lines only, not each agent's text as it is written (the default when stdout is not a terminal)",
  )
  .option(
    '--verbose',
    "print the worker's warnings and stack traces here (by default they go to $TROUPE_HOME/worker.log, named once if any)",
  )
  .option('--budget-calls <n>', 'budget: at most this many model calls, sub-teams included', positiveInteger)
  .option('--budget-tokens <n>', 'budget: at most this many tokens, sub-teams included', positiveInteger)
  .option('--budget-usd <usd>', 'budget: at most this estimated cost in USD (needs TROUPE_PRICES)', positiveNumber)
  .option('--budget-time <duration>', "budget: no model call starts after this long since the run's start (e.g. 30m)")
  .action(async (team: string, input: string[], options: Record<string, unknown>) => {
    process.exitCode = await (
      await import('./commands/run.js')
    ).runCommand(team, input, { ...globals(), ...options, ...(options['exit'] ? { keepAlive: false } : {}) });
  });

program
  .command('status')
  .description('show where a run stands: status, handoffs so far, result or failure')
  .argument('<workflowId>')
  .option('--json', 'print JSON')
  .action(async (workflowId: string, options: { json?: boolean }) => {
    process.exitCode = await (
      await import('./commands/status.js')
    ).statusCommand(workflowId, { ...globals(), ...options });
  });

program
  .command('follow')
  .description(
    "attach to a run (running or finished) and print its live feed to its end: each agent's text as it is written, sub-teams included, and its steps; then its result",
  )
  .argument('<workflowId>')
  .addOption(
    new Option('--from <offset>', 'start at this offset of the feed (default 0: from the start)')
      .argParser(offset)
      .conflicts('fromNow'),
  )
  .option('--from-now', 'only what happens from now on')
  .option('--json', 'print each feed item as one line of JSON (a FeedItem of troupe/protocol), and no result')
  .action(async (workflowId: string, options: { from?: number; fromNow?: boolean; json?: boolean }) => {
    process.exitCode = await (await import('./commands/follow.js')).followCommand(workflowId, options);
  });

program
  .command('worker')
  .description('run a worker against the configured cluster (TEMPORAL_ADDRESS or a Temporal profile)')
  .option(
    '--deployment <name>',
    'Temporal worker deployment this worker belongs to (default: TROUPE_DEPLOYMENT; none: unversioned)',
  )
  .option('--build-id <id>', 'build id of this worker in its deployment (default: TROUPE_BUILD_ID)')
  .option(
    '--versioning <behaviour>',
    'pinned (a run finishes on the build it started on) or auto-upgrade (default: TROUPE_VERSIONING, else pinned)',
  )
  .option(
    '--activities-only',
    'serve only agent calls on the task queue, no workflows: a pool for agents whose taskQueue names it',
  )
  .action(async (options: { deployment?: string; buildId?: string; versioning?: string; activitiesOnly?: boolean }) => {
    process.exitCode = await (await import('./commands/worker.js')).workerCommand({ ...globals(), ...options });
  });

program
  .command('dev')
  .description('embedded Temporal dev server + Web UI + worker in the foreground, on persisted data')
  .option('--port <port>', 'gRPC port (default: TROUPE_DEV_PORT, else 7233; 0 = any free port)', port)
  .option('--ui-port <port>', 'UI port (default: TROUPE_UI_PORT, else 8233; 0 = any free port)', port)
  .action(async (options: { port?: number; uiPort?: number }) => {
    process.exitCode = await (await import('./commands/dev.js')).devCommand({ ...globals(), ...options });
  });

// Both commands that run a worker take its limits, as flags or environment variables.
for (const command of program.commands.filter((c) => ['worker', 'dev'].includes(c.name()))) {
  for (const setting of WORKER_LIMIT_SETTINGS) command.option(setting.flag, `${setting.help} (env: ${setting.env})`);
}

program
  .command('init')
  .description(
    'create a project with one team, a worker, a test on the time-skipping server and a README, and npm install it',
  )
  .argument('<dir>', 'a new or empty folder; its name becomes the team name')
  .option('--troupe <spec>', 'the troupe dependency to write in package.json (a version, a path or a tarball)')
  .option('--no-install', 'write the files only, without running npm install in the new folder')
  .action(async (dir: string, options: { troupe?: string; install?: boolean }) => {
    process.exitCode = (await import('./commands/init.js')).initCommand(dir, options);
  });

program
  .command('setup')
  .description('install the Temporal CLI and test server into .troupe/tools if they are not on this machine')
  .option('--quiet', 'print nothing when nothing is missing')
  .action(async (options: { quiet?: boolean }) => {
    const installed = (await import('../hosting/install-binaries.js')).installTemporalBinaries();
    if (!options.quiet || installed.length)
      console.log(
        installed.length ? `Installed ${installed.join(', ')}.` : 'The Temporal binaries are already installed.',
      );
  });

for (const [name, decision, description] of [
  ['approve', 'approve', 'approve the gate a run is waiting on'],
  ['reject', 'reject', 'reject the gate a run is waiting on (the run fails with ApprovalRejected)'],
  [
    'request-changes',
    'request-changes',
    'send the work back to the agent that produced it, with --comment, then ask again',
  ],
] as const) {
  program
    .command(name)
    .description(description)
    .argument('<workflowId>')
    .requiredOption('--by <who>', "who decides (must be one of the gate's approvers)")
    .option('--gate <gate>', 'the gate decided (default: the one waiting)')
    .option('--comment <text>', 'why; for request-changes, what to change')
    .option('--signal', 'send as a signal: return at once without learning whether it applied')
    .action(async (workflowId: string, options: { by: string; gate?: string; comment?: string; signal?: boolean }) => {
      process.exitCode = await (
        await import('./commands/decide.js')
      ).decideCommand(decision, workflowId, { ...globals(), ...options });
    });
}

program
  .command('budget')
  .description('manage the budget of a run')
  .command('raise')
  .description(
    'raise the budget of a run waiting at its "budget" gate (a team with onExhausted: "ask"): give the new caps',
  )
  .argument('<workflowId>')
  .requiredOption('--by <who>', "who raises it (must be one of the budget's approvers)")
  .option('--calls <n>', 'new cap on model calls', positiveInteger)
  .option('--tokens <n>', 'new cap on tokens', positiveInteger)
  .option('--usd <usd>', 'new cap on the estimated cost in USD', positiveNumber)
  .option('--time <duration>', "new cap on the time since the run's start (e.g. 2h)")
  .option('--comment <text>', 'why')
  .action(
    async (
      workflowId: string,
      options: { by: string; calls?: number; tokens?: number; usd?: number; time?: string; comment?: string },
    ) => {
      process.exitCode = await (await import('./commands/budget.js')).raiseBudgetCommand(workflowId, options);
    },
  );

program
  .command('pending')
  .description(
    "list the runs waiting for a person's decision, with what each asks about (a tool call's whole input, an agent's output)",
  )
  .option('--json', 'print JSON (always whole)')
  .option('--full', 'print what each gate asks about whole, however long (by default a very long one is cut)')
  .action(async (options: { json?: boolean; full?: boolean }) => {
    process.exitCode = await (await import('./commands/pending.js')).pendingCommand({ ...globals(), ...options });
  });

program
  .command('list')
  .description('Troupe runs with team, topology, status, tokens and estimated cost (newest first)')
  .option('--team <team>', 'only this team')
  .addOption(new Option('--status <status>', 'only runs with this status').choices(RUN_STATUSES))
  .option('--query <query>', 'an extra Temporal list filter, e.g. "TroupeTokens > 1000"')
  .option('--limit <n>', 'at most this many runs', positiveInteger, 50)
  .option('--json', 'print JSON')
  .action(async (options: { team?: string; status?: string; query?: string; limit?: number; json?: boolean }) => {
    process.exitCode = await (await import('./commands/list.js')).listCommand({ ...globals(), ...options });
  });

program
  .command('history')
  .description("the run's chain of handoffs from its event history, sub-teams included: who handed what to whom")
  .argument('<workflowId>')
  .option('--format <format>', 'text, json or mermaid (a sequence diagram)', 'text')
  .action(async (workflowId: string, options: { format?: string }) => {
    process.exitCode = await (await import('./commands/history.js')).historyCommand(workflowId, options);
  });

program
  .command('replay')
  .description('check recorded histories (temporal workflow show -o json) against the current workflow code')
  .argument('<history...>', 'history JSON files')
  .option('--workflow-id <id>', "the run's workflow id (default: the file name); sub-team ids derive from it")
  .action(async (files: string[], options: { workflowId?: string }) => {
    process.exitCode = await (await import('./commands/replay.js')).replayCommand(files, options);
  });

program
  .command('codec-server')
  .description(
    'decrypt payloads for the Temporal UI: the codec server (needs TROUPE_PAYLOAD_KEY and TROUPE_CODEC_TOKEN)',
  )
  .option('--port <port>', 'port to listen on', port, 8888)
  .option('--host <host>', 'address to listen on (0.0.0.0 in a container)', '127.0.0.1')
  .option('--origin <url...>', "the Temporal UI's origin: the only one granted CORS", ['http://localhost:8233'])
  .action(async (options: { port: number; host: string; origin: string[] }) => {
    process.exitCode = await (await import('./commands/codec-server.js')).codecServerCommand(options);
  });

function globals(): { teams?: string; taskQueue?: string } {
  return program.opts<{ teams?: string; taskQueue?: string }>();
}

/** Exit code of a command stopped by Ctrl-C. */
export const INTERRUPTED = 130;

// Commands load on use, so `troupe --help` starts without loading Temporal's native runtime.
program.hook('preAction', async (_program, command) => {
  if (['init', 'setup', 'codec-server'].includes(command.name())) return;
  // `troupe run` keeps its worker's warnings out of the run's output unless --verbose; `troupe worker` and `dev` print them.
  const log =
    command.name() === 'run' && !command.opts()['verbose']
      ? (await import('./worker-log.js')).openWorkerLog()
      : undefined;
  (await import('../workers/telemetry.js')).installRuntime(process.env, log?.write);
});

try {
  await program.parseAsync();
  // After Ctrl-C the worker may still be retrying calls to a server that is gone: leave now.
  if (process.exitCode === INTERRUPTED) process.exit(INTERRUPTED);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed the error (and the help); --help and --version end here with 0.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    // Every layer's errors (CliError, ClientError, WorkerError, HostingError, CodecError, TeamError ...) are TroupeErrors: bad input or setup, exit 2.
    if (!TroupeError.isInstance(error)) throw error;
    console.error(`troupe: ${error.message}`);
    process.exitCode = 2;
  }
}

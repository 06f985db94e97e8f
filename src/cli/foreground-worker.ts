import { shutdownGraceMs } from '../workers/worker-limits.js';
import { openLocalStack, untilInterrupted, type LocalStack, type StackOptions } from './local-stack.js';

/**
 * Runs a stack with a worker in the foreground (`troupe worker`, `troupe dev`) until Ctrl-C or
 * SIGTERM, or until the worker stops on its own, then closes it; returns the exit code.
 * It listens for signals before anything starts: otherwise Temporal's runtime takes a signal that
 * arrives while the server or the worker starts, stops only the worker, and the command waits for
 * ever (or Node gives up on it with exit 13) while the server is left to its watchdog. Listening
 * from the start, that signal stops the whole stack as soon as it is up.
 */
export async function runWorkerInForeground(
  options: Omit<StackOptions, 'worker'>,
  describe: (stack: LocalStack) => string[],
): Promise<number> {
  const interrupted = untilInterrupted();
  // The worker's MCP servers, as they connect at start and whenever one is lost or back: in this terminal.
  const onMcpStatus = (line: string, level: 'info' | 'warn') =>
    level === 'warn' ? console.error(`troupe: ${line}`) : console.log(line);
  const stack = await openLocalStack({ ...options, worker: true, onMcpStatus });
  for (const line of describe(stack)) console.log(line);
  console.log('Press Ctrl-C to stop.');
  const stopped = stack.workerStopped?.then((error) => ({ error }));
  const first = await Promise.race([interrupted, stopped]);
  if (typeof first === 'string') {
    console.log(
      `${first}: stopping gracefully: no new work; agent calls in flight get ${shutdownGraceMs(options.limits ?? {}) / 1000}s to finish, then go back to Temporal for another worker. Press Ctrl-C (or send SIGTERM) again to stop at once.`,
    );
  }
  await stack.close();
  const outcome = await stopped;
  if (outcome?.error) {
    console.error(
      `troupe: the worker stopped on an error: ${outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.error)}`,
    );
    return 1;
  }
  console.log(stack.target.kind === 'embedded' ? 'Worker and Temporal dev server stopped.' : 'Worker stopped.');
  return 0;
}

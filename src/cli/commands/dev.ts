import { describePayloadEncryption } from '../../codec/index.js';
import { runWorkerInForeground } from '../foreground-worker.js';
import { workerLimitsFrom, type WorkerLimitFlags } from '../worker-flags.js';
import { describeWorkerLimits } from '../../workers/worker-limits.js';

/**
 * `troupe dev`: the embedded Temporal server with its UI and a worker, in the foreground, on the
 * persisted data, until Ctrl-C or SIGTERM (even one sent while it starts); a second stops it at once.
 */
export async function devCommand(
  options: { teams?: string; taskQueue?: string; port?: number; uiPort?: number } & WorkerLimitFlags,
): Promise<number> {
  const limits = workerLimitsFrom(options);
  return runWorkerInForeground(
    { teams: options.teams, taskQueue: options.taskQueue, port: options.port, uiPort: options.uiPort, limits },
    (stack) => [
      `Temporal ${stack.target.kind === 'embedded' ? 'dev server' : 'cluster'} at ${stack.target.address}${stack.target.uiUrl ? `, UI at ${stack.target.uiUrl}` : ''}`,
      `Worker on task queue "${stack.taskQueue}"; teams: ${stack.teams.registry.names.join(', ')}`,
      `Limits: ${describeWorkerLimits(limits)}`,
      stack.model.description,
      describePayloadEncryption(),
      ...(stack.target.codecUrl
        ? [`The UI decrypts them through the codec server at ${stack.target.codecUrl}, open to this UI only.`]
        : []),
      ...(stack.target.kind === 'embedded'
        ? [`In another terminal: TEMPORAL_ADDRESS=${stack.target.address} npx troupe run <team> "<task>"`]
        : []),
    ],
  );
}

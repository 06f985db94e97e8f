import { describePayloadEncryption } from '../../codec/index.js';
import { openLocalStack, untilInterrupted } from '../local-stack.js';
import { workerLimitsFrom, type WorkerLimitFlags } from '../worker-flags.js';
import { describeWorkerLimits } from '../../workers/worker-limits.js';

/** `troupe dev`: the embedded Temporal server with its UI and a worker, in the foreground, on the persisted data. */
export async function devCommand(options: { teams?: string; taskQueue?: string; port?: number; uiPort?: number } & WorkerLimitFlags): Promise<number> {
  const limits = workerLimitsFrom(options);
  const stack = await openLocalStack({ ...options, worker: true, limits });
  console.log(`Temporal ${stack.target.kind === 'embedded' ? 'dev server' : 'cluster'} at ${stack.target.address}${stack.target.uiUrl ? `, UI at ${stack.target.uiUrl}` : ''}`);
  console.log(`Worker on task queue "${stack.taskQueue}"; teams: ${stack.teams.registry.names.join(', ')}`);
  console.log(`Limits: ${describeWorkerLimits(limits)}`);
  console.log(stack.model.description);
  console.log(describePayloadEncryption());
  if (stack.target.codecUrl) console.log(`The UI decrypts them through the codec server at ${stack.target.codecUrl}, open to this UI only.`);
  if (stack.target.kind === 'embedded') console.log(`In another terminal: TEMPORAL_ADDRESS=${stack.target.address} npx troupe run <team> "<task>"`);
  console.log('Press Ctrl-C to stop.');
  await untilInterrupted();
  await stack.close();
  return 0;
}

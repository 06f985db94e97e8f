import { TroupeClient } from '../../client/troupe-client.js';
import { connectForCommand } from '../connect.js';

/** `troupe pending`: every run waiting for a person's decision. */
export async function pendingCommand(options: { json?: boolean; teams?: string }): Promise<number> {
  const target = await connectForCommand();
  try {
    const pending = await new TroupeClient(target.client, undefined).pending();
    if (options.json) {
      console.log(JSON.stringify(pending, null, 2));
      return 0;
    }
    if (pending.length === 0) console.log('No run is waiting for a decision.');
    for (const run of pending) {
      const a = run.awaiting;
      const what = a ? `gate "${a.gate}" by ${a.approvers.join(', ')} until ${a.deadline}${a.escalated ? ' (escalated)' : ''}: ${a.subject}` : 'awaiting a decision';
      const parent = run.parentWorkflowId ? `  (sub-team of ${run.parentWorkflowId}; decide on this id)` : '';
      console.log(`${run.workflowId}  ${run.team ?? ''}  ${what}${parent}`);
    }
    return 0;
  } finally {
    await target.close();
  }
}

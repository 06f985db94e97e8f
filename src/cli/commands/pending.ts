import { TroupeClient } from '../../client/troupe-client.js';
import { asText } from '../../protocol/text.js';
import { connectForCommand } from '../connect.js';

/** Beyond this many lines or characters, what a gate asks about is cut, unless --full (an approver must be able to read it all). */
const SHOWN_LINES = 40;
const SHOWN_CHARS = 4_000;

/** `troupe pending`: every run waiting for a person's decision, with what it asks about, whole. */
export async function pendingCommand(options: { json?: boolean; full?: boolean; teams?: string }): Promise<number> {
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
      const what = a
        ? `gate "${a.gate}" by ${a.approvers.join(', ')} until ${a.deadline}${a.escalated ? ' (escalated)' : ''}: ${a.from ?? a.subject}`
        : 'awaiting a decision';
      const parent = run.parentWorkflowId ? `  (sub-team of ${run.parentWorkflowId}; decide on this id)` : '';
      console.log(`${run.workflowId}  ${run.team ?? ''}  ${what}${parent}`);
      if (a?.from !== undefined) console.log(indented(asText(a.content), Boolean(options.full)));
    }
    return 0;
  } finally {
    await target.close();
  }
}

/** The subject pretty-printed under its run, cut when very long (saying how to see it all). */
function indented(text: string, full: boolean): string {
  let lines = text.split('\n');
  let cut = false;
  if (!full && lines.length > SHOWN_LINES) [lines, cut] = [lines.slice(0, SHOWN_LINES), true];
  if (!full && lines.join('\n').length > SHOWN_CHARS)
    [lines, cut] = [lines.join('\n').slice(0, SHOWN_CHARS).split('\n'), true];
  if (cut) lines[lines.length - 1] += '… (troupe pending --full shows all)';
  return lines.map((line) => `    ${line}`).join('\n');
}

import type { AwaitingApproval } from '../protocol/messages.js';

/** Where a command reaches Temporal: what `troupe approve` needs to be told when it is not where it looks by default. */
export interface DecideTarget {
  address: string;
  namespace: string;
}

/**
 * What a run waiting on a gate prints: the gate, who may decide and until when, then the exact
 * commands that decide it from another terminal. `troupe approve` connects to TEMPORAL_ADDRESS or
 * localhost:7233, so any other address (the embedded server on another port, a cluster named in
 * this shell only) is written into the command.
 */
export function decideHint(workflowId: string, awaiting: AwaitingApproval, target: DecideTarget): string[] {
  const anyone = awaiting.approvers.includes('*');
  const who = anyone ? 'anyone' : awaiting.approvers.join(', ');
  const by = !anyone && awaiting.approvers.length === 1 ? shellWord(awaiting.approvers[0] ?? '') : '<who>';
  const env = [
    isDefaultAddress(target.address) ? '' : `TEMPORAL_ADDRESS=${shellWord(target.address)} `,
    target.namespace === 'default' ? '' : `TEMPORAL_NAMESPACE=${shellWord(target.namespace)} `,
  ].join('');
  const command = (verb: string, extra = '') => `${env}npx troupe ${verb} ${shellWord(workflowId)} --by ${by}${extra}`;
  return [
    `  ⏸ Waiting for a decision on gate "${awaiting.gate}"${awaiting.escalated ? ' (escalated)' : ''}: ${awaiting.subject}`,
    `    Who may decide: ${who}, until ${awaiting.deadline}. From another terminal:`,
    `      ${command('approve')}`,
    `      ${command('reject', ' --comment "why"')}`,
    ...(by === '<who>' ? [`    (put your name, as the gate lists it, in place of <who>)`] : []),
  ];
}

function isDefaultAddress(address: string): boolean {
  return /^(localhost|127\.0\.0\.1):7233$/.test(address);
}

/** A word the shell passes through unchanged: quoted only when it has to be. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

import { Context } from '@temporalio/activity';
import type { Reminder, TeamRegistry } from '../team/index.js';

/** Reminds approvers of a waiting gate: through the team's `notify` hook, or the worker's log. */
export function createSendReminder({ teams }: { teams: TeamRegistry }) {
  return async function sendReminder(reminder: Omit<Reminder, 'workflowId'>): Promise<{ via: 'notify' | 'log' }> {
    const context = Context.current();
    const full: Reminder = { ...reminder, workflowId: context.info.workflowExecution?.workflowId ?? '' };
    const notify = teams.find(reminder.team)?.notify;
    if (notify) {
      await notify(full);
      return { via: 'notify' };
    }
    context.log.warn(
      `Approval "${full.gate}" of run ${full.workflowId} awaits ${full.approvers.join(', ')} until ${full.deadline}`,
      { reminder: full },
    );
    return { via: 'log' };
  };
}

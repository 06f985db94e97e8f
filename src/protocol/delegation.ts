import { z } from 'zod';

/**
 * Delegation as a tool call: an agent hands a sub-task to a member of its team (an agent or a whole
 * sub-team) by calling the tool `delegate_<member>`, and gets the member's answer as the result.
 */
export const DELEGATE_PREFIX = 'delegate_';

export const DelegationInputSchema = z.object({ task: z.string().min(1).describe('the sub-task, stated fully: the member sees only this and the team task') });

export function delegateTool(member: string): string {
  return `${DELEGATE_PREFIX}${member}`;
}

/** The member a tool name delegates to, when it is one of `delegates`. */
export function delegatedMember(toolName: string, delegates: readonly string[]): string | undefined {
  if (!toolName.startsWith(DELEGATE_PREFIX)) return undefined;
  const member = toolName.slice(DELEGATE_PREFIX.length);
  return delegates.includes(member) ? member : undefined;
}

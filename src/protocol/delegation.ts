/**
 * Delegation as a tool call: an agent hands a sub-task to a member of its team (an agent or a whole
 * sub-team) by calling the tool `delegate_<member>`, and gets the member's answer as the result.
 */
export const DELEGATE_PREFIX = 'delegate_';

/**
 * The sub-task in a delegation's tool input, or undefined when it has none: the check of
 * DelegationInputSchema (delegation-input.ts), written out because workflow code makes it and zod
 * would cost every run's start there.
 */
export function delegatedTask(input: unknown): string | undefined {
  const task =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? (input as { task?: unknown }).task
      : undefined;
  return typeof task === 'string' && task.length > 0 ? task : undefined;
}

/** What the model is told a delegate tool does; `who` is the member's role, or what a sub-team is. */
export function delegateDescription(member: string, who: string): string {
  return `Hand a sub-task to ${member} (${who}) and get its answer back. Several delegations in one turn run in parallel.`;
}

/**
 * At least the bytes of a delegate tool's input schema as the model is sent it (DelegationInputSchema
 * as JSON Schema; test/protocol/delegation.test.ts holds it to that): workflow code counts it in a
 * call's estimate under a token cap, without zod.
 */
export const DELEGATE_INPUT_SCHEMA_BYTES = 320;

/** The name of the tool that delegates to `member`: `delegate_<member>`. */
export function delegateTool(member: string): string {
  return `${DELEGATE_PREFIX}${member}`;
}

/** The member a tool name delegates to, when it is one of `delegates`. */
export function delegatedMember(toolName: string, delegates: readonly string[]): string | undefined {
  if (!toolName.startsWith(DELEGATE_PREFIX)) return undefined;
  const member = toolName.slice(DELEGATE_PREFIX.length);
  return delegates.includes(member) ? member : undefined;
}

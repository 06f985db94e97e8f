import type { z } from 'zod';

/**
 * Troupe's own errors carry a stable `code`, so callers (and the CLI) can tell them apart without
 * matching on messages. Each message names the problem and the fix.
 */
export class TroupeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TroupeError';
  }
}

/** A team definition, run spec or run input that does not validate. */
export class TeamSpecError extends TroupeError {
  constructor(subject: string, issues: readonly z.core.$ZodIssue[] | readonly string[]) {
    const lines = issues.map((issue) => (typeof issue === 'string' ? issue : formatIssue(issue)));
    super('INVALID_TEAM_SPEC', `${subject} is not valid:\n${lines.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'TeamSpecError';
  }
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  return path ? `${path}: ${issue.message}` : issue.message;
}

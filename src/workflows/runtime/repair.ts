import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { z } from 'zod';
import { FailureType } from '../../team/errors.js';
import type { AgentSpec } from '../../team/spec.js';
import type { Usage } from '../../protocol/usage.js';

/** Bounded repair of an agent's answer, shared by single calls and tool loops. */

/** What an answer outside the agent's output schema cost and why it was refused (the activity's failure details). */
export interface InvalidOutput {
  text: string;
  problem: string;
  usage: Usage;
  /** For a tool loop: the conversation up to the refused answer, to continue with the repair. */
  conversation?: string;
}

/** The details of an InvalidStructuredOutput failure, or undefined for any other error. */
export function invalidOutput(error: unknown): InvalidOutput | undefined {
  if (!(error instanceof ActivityFailure)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.InvalidStructuredOutput) return undefined;
  return cause.details?.[0] as InvalidOutput | undefined;
}

/**
 * Why a valid answer cannot be used by the step: it does not parse with the step's schema, or the
 * topology's check objects. Undefined when it can be used.
 */
export function objection<T>(output: unknown, schema: z.ZodType<T> | undefined, check: ((output: T) => string | undefined) | undefined): string | undefined {
  const parsed = schema ? schema.safeParse(output) : { success: true as const };
  // Validated, then kept as the agent gave it: a schema extending the decision keeps its extra fields.
  return parsed.success ? check?.(output as T) : `the answer is not the shape this step reads: ${z.prettifyError(parsed.error)}`;
}

/** The failure once repairs run out. */
export function unusable(agent: AgentSpec, repairs: number, problem: { problem: string; type: FailureType; text?: string }): ApplicationFailure {
  return ApplicationFailure.create({
    message: `agent "${agent.name}" did not produce usable output after ${repairs} repair attempt(s): ${problem.problem}`,
    type: problem.type,
    nonRetryable: true,
    details: [{ agent: agent.name, text: problem.text ?? '' }],
  });
}

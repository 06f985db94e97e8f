import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../../team/errors.js';
import type { DecisionName } from '../../team/decisions.js';
import type { AgentSpec } from '../../team/spec.js';
import { decisionProblemHere } from './decision-check.js';
import type { Usage } from '../../protocol/usage.js';

/** Bounded repair of an agent's answer, shared by single calls and tool loops. */

/** What an answer the activity refused cost and why (the activity's failure details). */
export interface InvalidOutput {
  text: string;
  problem: string;
  usage: Usage;
  /** For a tool loop: the conversation up to the refused answer, to continue with the repair. */
  conversation?: string;
  /** InvalidStructuredOutput (outside the agent's schema) or InvalidDecision (not the decision the step reads). */
  type: FailureType;
}

/** The details of an answer the activity refused, or undefined for any other error. */
export function invalidOutput(error: unknown): InvalidOutput | undefined {
  if (!(error instanceof ActivityFailure)) return undefined;
  const cause = error.cause;
  if (
    !(cause instanceof ApplicationFailure) ||
    (cause.type !== FailureType.InvalidStructuredOutput && cause.type !== FailureType.InvalidDecision)
  )
    return undefined;
  const details = cause.details?.[0] as Omit<InvalidOutput, 'type'> | undefined;
  return details && { ...details, type: cause.type };
}

/**
 * Why a valid answer cannot be used by the step: it is not the decision the step reads, or the
 * topology's check objects. Undefined when it can be used. The activity checked the decision when
 * its result says so (`reads`): then the answer is ready at once, with no promise to wait for (each
 * promise in workflow code costs a stack capture); an older worker's answer is checked here.
 */
export function objection<T>(
  result: { output?: unknown; reads?: DecisionName | undefined },
  reads: DecisionName | undefined,
  check: ((output: T) => string | undefined) | undefined,
): string | undefined | Promise<string | undefined> {
  // Validated, then kept as the agent gave it: a schema extending the decision keeps its extra fields.
  if (reads === undefined || result.reads === reads) return check?.(result.output as T);
  return decisionProblemHere(reads, result.output).then((problem) => problem ?? check?.(result.output as T));
}

/** The failure once repairs run out. */
export function unusable(
  agent: AgentSpec,
  repairs: number,
  problem: { problem: string; type: FailureType; text?: string },
): ApplicationFailure {
  return ApplicationFailure.create({
    message: `agent "${agent.name}" did not produce usable output after ${repairs} repair attempt(s): ${problem.problem}`,
    type: problem.type,
    nonRetryable: true,
    details: [{ agent: agent.name, text: problem.text ?? '' }],
  });
}

import type { DecisionName } from '../../team/decisions.js';

/**
 * Why `output` is not the decision `reads`, checked in the workflow itself: for a sub-team's answer,
 * and for an agent's answer from a worker that did not check it (an older worker, or a history
 * recorded before the check moved into the activity). zod and the schemas are loaded only then: a
 * worker evaluates workflow modules afresh for every run, and they would cost every run's start.
 */
export async function decisionProblemHere(reads: DecisionName, output: unknown): Promise<string | undefined> {
  const { decisionProblem } = await import(/* webpackMode: "eager" */ '../../team/decisions.js');
  return decisionProblem(reads, output);
}

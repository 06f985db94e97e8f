import { z } from 'zod';
import { VerdictSchema } from './verdict.js';

/**
 * The structured outputs that steer a topology: what a supervisor, router, debater, judge, swarm
 * agent or handoff agent must answer. An agent in one of these roles declares the schema (or a zod
 * object extending it) as its output. A step names the decision it reads (`DecisionName`), and the
 * activity that makes the call checks the answer against that schema: zod stays out of workflow code,
 * which a worker evaluates afresh for every run.
 */

/** A supervisor's answer each round: sub-tasks for its workers, or `done` with the final answer. */
export const SupervisorDecisionSchema = z.object({
  done: z.boolean().describe('true when the work is complete and `answer` is the final result'),
  answer: z.string().describe('the final synthesis when done; otherwise a short note on the plan'),
  assignments: z
    .array(z.object({ worker: z.string().describe('a worker name from the list given'), task: z.string() }))
    .describe('sub-tasks for workers this round; empty when done'),
});

/** A router's answer: the one specialist (route) to send the input to, and why. */
export const RouteSchema = z.object({
  route: z.string().describe('the one specialist to send the input to, from the list given'),
  reason: z.string(),
});

/** A debater's answer each round: its position and the argument for it. */
export const ArgumentSchema = z.object({
  position: z.string().describe('your answer in a few words, stated the same way each round if unchanged'),
  argument: z.string().describe('why, answering the other debaters where they disagree'),
});

/** A debate judge's answer: the decision the debate supports, and why. */
export const JudgmentSchema = z.object({
  decision: z.string().describe('the answer the debate supports'),
  rationale: z.string(),
});

/** A swarm agent's move each round: the task it claims and its result, new tasks, and the tasks it finds promising. */
export const SwarmMoveSchema = z.object({
  claim: z.string().describe('id of the open task you work on this round, or "" to pass'),
  result: z.string().describe('your contribution to the claimed task'),
  complete: z.boolean().describe('true when your result finishes the claimed task'),
  newTasks: z.array(z.string()).describe('follow-up tasks worth doing, if any'),
  promising: z.array(z.string()).describe('ids of open tasks you judge most promising'),
});

/** A handoff agent's answer: hand control to a peer with a note, or answer itself (`handoffTo: ""`). */
export const HandoffSchema = z.object({
  handoffTo: z.string().describe('the peer to hand control to, or "" to answer yourself'),
  answer: z.string().describe('your final answer when not handing off; otherwise a note for the peer'),
});

/** A supervisor's answer ({@link SupervisorDecisionSchema}). */
export type SupervisorDecision = z.infer<typeof SupervisorDecisionSchema>;
/** A router's answer ({@link RouteSchema}). */
export type Route = z.infer<typeof RouteSchema>;
/** A debater's answer ({@link ArgumentSchema}). */
export type Argument = z.infer<typeof ArgumentSchema>;
/** A debate judge's answer ({@link JudgmentSchema}). */
export type Judgment = z.infer<typeof JudgmentSchema>;
/** A swarm agent's move ({@link SwarmMoveSchema}). */
export type SwarmMove = z.infer<typeof SwarmMoveSchema>;
/** A handoff agent's answer ({@link HandoffSchema}). */
export type Handoff = z.infer<typeof HandoffSchema>;

/** The decisions steps read, by the name a step gives in its activity input. */
export const DECISIONS = {
  supervisor: SupervisorDecisionSchema,
  route: RouteSchema,
  argument: ArgumentSchema,
  judgment: JudgmentSchema,
  'swarm-move': SwarmMoveSchema,
  handoff: HandoffSchema,
  verdict: VerdictSchema,
} as const;

/** The name a step gives the decision it reads (`reads: 'route'`, ...): a key of {@link DECISIONS}. */
export type DecisionName = keyof typeof DECISIONS;
/** The decision named `N`, as its schema parses it. */
export type Decision<N extends DecisionName> = z.infer<(typeof DECISIONS)[N]>;

/** Why `output` is not the decision `reads`, or undefined when it is (extra fields are fine). */
export function decisionProblem(reads: DecisionName, output: unknown): string | undefined {
  const parsed = DECISIONS[reads].safeParse(output);
  return parsed.success ? undefined : `the answer is not the shape this step reads: ${z.prettifyError(parsed.error)}`;
}

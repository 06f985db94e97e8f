import { z } from 'zod';

/** What a gate agent (validator, critic, judge) must return about the work in front of it. */
export const VerdictSchema = z.object({
  approved: z.boolean().describe('true when the work is good enough to hand on'),
  feedback: z.string().describe('what to change if not approved; a short reason if approved'),
});

/** A gate agent's verdict ({@link VerdictSchema}). */
export type Verdict = z.infer<typeof VerdictSchema>;

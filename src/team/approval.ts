import { z } from 'zod';
import { DurationSchema } from './duration.js';
import { NameSchema } from './names.js';

export * from './approval-decision.js';

const EscalationSchema = z
  .object({
    approvers: z.array(z.string().min(1)).min(1, 'name at least one approver to escalate to'),
    timeout: DurationSchema,
    onTimeout: z.enum(['approve', 'reject']).default('reject'),
  })
  .strict();

/**
 * Human approval: a gate that waits for a person's decision (minutes or days), with a deadline, a
 * policy on expiry, an optional escalation and reminders. Decisions arrive by signal or update.
 */
export const ApprovalSpecSchema = z
  .object({
    /** The gate's name: what approvers decide on (e.g. "publish"). */
    gate: NameSchema,
    /** Who may decide; "*" lets anyone. */
    approvers: z.array(z.string().min(1)).min(1, 'name at least one approver, or "*" for anyone'),
    /** always: every time the step produces work; requested: only when its output has needsApproval: true. */
    when: z.enum(['always', 'requested']).default('always'),
    timeout: DurationSchema.default(86_400_000),
    onTimeout: z.enum(['approve', 'reject', 'escalate']).default('reject'),
    escalateTo: EscalationSchema.optional(),
    /** Send a reminder this long before each deadline (e.g. ['1h']). */
    remindBefore: z.array(DurationSchema).default([]),
    /** How many times approvers may send the work back before a further request counts as a rejection. */
    maxChangeRequests: z.number().int().min(0).max(20).default(3),
    /**
     * Decisions must carry a valid signature (HMAC-SHA256 with the worker's TROUPE_DECISION_SECRET):
     * for gates decided from outside systems by signal. Unsigned or forged ones are refused and recorded.
     */
    signed: z.boolean().optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.onTimeout === 'escalate' && !spec.escalateTo) {
      ctx.addIssue({
        code: 'custom',
        path: ['escalateTo'],
        message: 'onTimeout: "escalate" needs escalateTo: { approvers, timeout }',
      });
    }
  });

/** An approval gate as parsed, defaults filled in ({@link ApprovalSpecSchema}). */
export type ApprovalSpec = z.infer<typeof ApprovalSpecSchema>;

/** What a team's `notify` hook receives before an approval's deadline. */
export interface Reminder {
  team: string;
  gate: string;
  approvers: string[];
  deadline: string;
  subject: string;
  workflowId: string;
}

import { z } from 'zod';

/** The approval a run is waiting for, as its progress and history readers show it. */
export const AwaitingApprovalSchema = z.object({
  gate: z.string(),
  approvers: z.array(z.string()),
  /** ISO time after which the gate's expiry policy applies. */
  deadline: z.string(),
  /** True once the first deadline passed and the gate went to its escalation approvers. */
  escalated: z.boolean(),
  /** What is being approved: who produced it and a short summary. */
  subject: z.string(),
});

/** The approval a run is waiting for. */
export type AwaitingApproval = z.infer<typeof AwaitingApprovalSchema>;

import { z } from 'zod';

/** What the `decide` update answers when it accepts a decision. */
export const DecisionReceiptSchema = z.object({
  gate: z.string(),
  accepted: z.literal(true),
  decision: z.string(),
  by: z.string(),
});

/** What `decide` answers when it accepts a decision. */
export type DecisionReceipt = z.infer<typeof DecisionReceiptSchema>;

import { z } from 'zod';

/** The input of a `delegate_<member>` tool, as the model is told it (see delegatedTask in delegation.ts). */
export const DelegationInputSchema = z.object({
  task: z.string().min(1).describe('the sub-task, stated fully: the member sees only this and the team task'),
});

import { BUDGET_GATE, BudgetRaiseSchema, TeamSpecError } from '../../team/index.js';
import { decideCommand } from './decide.js';

export interface RaiseBudgetOptions {
  by: string;
  calls?: number;
  tokens?: number;
  usd?: number;
  time?: string;
  comment?: string;
}

/** `troupe budget raise <workflowId> --by <who> --calls 20`: the decision that raises an exhausted budget. */
export async function raiseBudgetCommand(workflowId: string, options: RaiseBudgetOptions): Promise<number> {
  const raise = BudgetRaiseSchema.safeParse({
    ...(options.calls !== undefined ? { calls: options.calls } : {}),
    ...(options.tokens !== undefined ? { tokens: options.tokens } : {}),
    ...(options.usd !== undefined ? { usd: options.usd } : {}),
    ...(options.time !== undefined ? { time: options.time } : {}),
  });
  if (!raise.success) throw new TeamSpecError('The raise (--calls, --tokens, --usd, --time)', raise.error.issues);
  return decideCommand('approve', workflowId, {
    by: options.by,
    gate: BUDGET_GATE,
    raise: raise.data,
    ...(options.comment ? { comment: options.comment } : {}),
  });
}

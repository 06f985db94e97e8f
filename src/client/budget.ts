import {
  BudgetSpecSchema,
  TeamSpecError,
  teamTree,
  type BudgetSpec,
  type BudgetSpecInput,
  type Team,
} from '../team/index.js';
import { ClientError } from './errors.js';
import type { Prices } from '../protocol/index.js';

/** A budget given at start, validated like a team's. */
export function parseRunBudget(budget: BudgetSpecInput): BudgetSpec {
  const parsed = BudgetSpecSchema.safeParse(budget);
  if (!parsed.success) throw new TeamSpecError('The run budget', parsed.error.issues);
  return parsed.data;
}

/** A USD cap needs a price for every model the run may use: refused before anything starts. */
export function checkBudgetPrices(team: Team, budget: BudgetSpec | undefined, prices: Prices): void {
  if (budget?.usd === undefined) return;
  const models = new Set(
    teamTree(team).flatMap((t) => t.spec.agents.flatMap((a) => [a.model, ...(a.cheaperModel ? [a.cheaperModel] : [])])),
  );
  const missing = [...models].filter((model) => !prices[model]);
  if (missing.length === 0) return;
  throw new ClientError(
    'BUDGET_NEEDS_PRICES',
    `A budget in USD needs the price of every model the run may use, and ${missing.join(', ')} ha${missing.length === 1 ? 's' : 've'} none: set TROUPE_PRICES (e.g. '{"${missing[0]}":{"input":3,"output":15}}', USD per million tokens), or budget in tokens instead.`,
  );
}

import { existsSync, readFileSync } from 'node:fs';
import { TeamSpecError } from '../team/index.js';
import { CliError } from './errors.js';
import { PricesSchema, type Prices } from '../protocol/index.js';

/**
 * Model prices for cost estimates, from TROUPE_PRICES: JSON, or a path to a JSON file, mapping
 * model names to USD per million tokens, e.g. {"claude-sonnet-5-5": {"input": 3, "output": 15}}.
 * Troupe ships no prices of its own: without them, runs report tokens but no cost.
 */
export function loadPrices(env: NodeJS.ProcessEnv = process.env): Prices {
  const value = env['TROUPE_PRICES']?.trim();
  if (!value) return {};
  let json: unknown;
  try {
    json = JSON.parse(value.startsWith('{') ? value : readFileSync(existsSync(value) ? value : '', 'utf8'));
  } catch (error) {
    throw new CliError(
      'INVALID_PRICES',
      `TROUPE_PRICES is neither JSON nor a readable JSON file (${(error as Error).message}). Example: {"claude-sonnet-5-5": {"input": 3, "output": 15}}`,
    );
  }
  const parsed = PricesSchema.safeParse(json);
  if (!parsed.success) throw new TeamSpecError('TROUPE_PRICES', parsed.error.issues);
  return parsed.data;
}

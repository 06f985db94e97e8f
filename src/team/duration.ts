import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/**
 * A positive duration, written as milliseconds (`1500`) or with a unit (`'30s'`, `'2m'`, `'1h'`),
 * normalised to milliseconds so the run spec a workflow receives holds plain numbers.
 */
export const DurationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a positive duration such as 1500, '30s' or '2m', got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return Math.round(ms);
});

/** A duration as written: milliseconds, or a string with a unit: `'1500ms'`, `'30s'`, `'2m'`, `'1h'`, `'3d'`. */
export type Duration = z.input<typeof DurationSchema>;

/** A heartbeat timeout, or `false` for none. */
export const HeartbeatTimeoutSchema = z.union([z.literal(false), DurationSchema]);

function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

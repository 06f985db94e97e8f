import { z } from 'zod';

/**
 * A Temporal task queue an agent's calls are scheduled on, so a pool of workers serves them (e.g.
 * "heavy" for large models, "light" for small ones). Temporal reserves names under "/_sys/".
 */
export const TaskQueueNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][\w.:/-]{0,199}$/,
    'use letters, digits, ".", ":", "/", "-" or "_", starting with a letter or digit (at most 200 characters), e.g. "heavy"',
  );

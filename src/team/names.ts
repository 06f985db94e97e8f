import { z } from 'zod';

/** Names of agents, teams, gates and checks: safe in workflow ids, search attributes and CLI flags. */
export const NameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/i, 'use letters, digits, "-" or "_", starting with a letter (at most 63 characters)');

import { z } from 'zod';

/** What an agent answers: text, or JSON matching the JSON schema of its zod output schema. */
export const AgentOutputSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text') }).strict(),
  z.object({ kind: z.literal('json'), jsonSchema: z.record(z.string(), z.unknown()) }).strict(),
]);

export type AgentOutputSpec = z.infer<typeof AgentOutputSpecSchema>;

import { z } from 'zod';
import { ApprovalSpecSchema } from './approval.js';
import { DurationSchema, HeartbeatTimeoutSchema } from './duration.js';
import { TeamSpecError } from './errors.js';
import { NameSchema } from './names.js';
import { RetrySpecSchema } from './retry.js';

/**
 * A tool an agent can call: a name, a description, a zod input schema, and the function that does
 * the work. The function runs in the worker as its own activity (own timeout and retries); the
 * workflow only sees this serialisable spec.
 */
export const ToolSpecSchema = z
  .object({
    name: NameSchema,
    description: z.string().min(1, 'describe the tool: the model reads it to decide when to call it'),
    /** Start-to-close timeout of one attempt of the tool. */
    timeout: DurationSchema.default(60_000),
    /**
     * How soon a call whose worker died is retried: the worker heartbeats while the tool runs, and
     * Temporal retries a call it has not heard from for this long. Default 10 s (when shorter than
     * `timeout`); `false` for none, so such a call is retried only once `timeout` passes.
     */
    heartbeatTimeout: HeartbeatTimeoutSchema.optional(),
    retry: RetrySpecSchema.default({
      maximumAttempts: 3,
      initialInterval: 1_000,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
    }),
    /** A person approves each call before it runs (`when: 'requested'`: only when the tool's `needsApproval(input)` says so). */
    approval: ApprovalSpecSchema.optional(),
    /** When a person refuses a call: tell the model (it may take another way), or fail the run with ApprovalRejected. */
    onRefused: z.enum(['tell-model', 'fail']).default('tell-model'),
    /** The input's JSON Schema as the model is sent it: a token cap counts it in a call's estimate. */
    inputSchema: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** A tool's serialisable spec as parsed, defaults filled in ({@link ToolSpecSchema}): what the run spec carries. */
export type ToolSpec = z.infer<typeof ToolSpecSchema>;
/** A tool's spec as written, before defaults. */
export type ToolSpecInput = z.input<typeof ToolSpecSchema>;

/** What {@link defineTool} takes: the tool's name, description, input schema and `run` function, and its settings. */
export interface ToolConfig<I extends z.ZodType = z.ZodType> extends Omit<ToolSpecInput, 'approval'> {
  /** The arguments the model must give; the tool refuses anything else (the model is told why). */
  input: I;
  /** What the tool returns, checked before it goes back to the model. */
  output?: z.ZodType;
  /** Does the work, in the worker. Throwing is retried by the tool's retry policy, then told to the model. */
  run: (input: z.infer<I>) => unknown;
  /**
   * A person approves each call before it runs: `true` for the defaults (anyone, 24 h, reject on
   * expiry), an approval spec without its gate (the gate is `tool-<name>`), and `needsApproval` to ask
   * only for some inputs.
   */
  approval?: true | Omit<z.input<typeof ApprovalSpecSchema>, 'gate' | 'when'>;
  /** With `approval`: ask only when this returns true for the call's input (runs in the worker). */
  needsApproval?: (input: z.infer<I>) => boolean | Promise<boolean>;
}

/** A tool as {@link defineTool} returns it: give it to agents in `defineAgent({ tools })`. */
export interface ToolDefinition {
  /** The tool's validated spec: what the run spec carries, and the model is sent. */
  readonly spec: ToolSpec;
  /** The zod schema the model's arguments must match. */
  readonly inputSchema: z.ZodType;
  /** The zod schema the tool's result must match, if it declares one. */
  readonly outputSchema: z.ZodType | undefined;
  /** Does the work, in the worker. */
  readonly run: (input: unknown) => unknown;
  /** With an approval: whether a call with this input needs one (runs in the worker); undefined: every call does. */
  readonly needsApproval: ((input: unknown) => boolean | Promise<boolean>) | undefined;
}

/**
 * Defines a tool: checks that its input schema is a zod object JSON Schema can express, and that its approval
 * settings fit together. Throws a `TeamSpecError` naming the problem.
 */
export function defineTool<I extends z.ZodType>(config: ToolConfig<I>): ToolDefinition {
  const subject = `Tool "${String(config.name)}"`;
  const { input, output, run, approval, needsApproval, ...rest } = config;
  if (!(input instanceof z.ZodType))
    throw new TeamSpecError(subject, [
      'input: give a zod object schema of the arguments, e.g. z.object({ query: z.string() })',
    ]);
  if (typeof run !== 'function') throw new TeamSpecError(subject, ['run: give the function that does the work']);
  // The model is sent the input schema as JSON Schema: it must be an object that JSON Schema can express.
  let inputSchema: Record<string, unknown>;
  try {
    // The conversion the SDK's tool helper makes (betaZodTool): the schema the model is sent.
    inputSchema = z.toJSONSchema(input, { reused: 'ref' });
  } catch (error) {
    throw new TeamSpecError(subject, [
      `input: cannot be expressed as JSON Schema (${(error as Error).message}); use plain zod types (no transforms, functions, dates or bigints)`,
    ]);
  }
  if (inputSchema['type'] !== 'object')
    throw new TeamSpecError(subject, [
      'input: must be a zod object (the model passes named arguments), e.g. z.object({ query: z.string() })',
    ]);
  if (needsApproval !== undefined && approval === undefined)
    throw new TeamSpecError(subject, ['needsApproval: set approval too (approval: true, or who approves and by when)']);
  const gate = `tool-${String(config.name)}`;
  const approvalSpec =
    approval === undefined
      ? undefined
      : {
          approvers: ['*'],
          ...(approval === true ? {} : approval),
          gate,
          when: needsApproval ? 'requested' : 'always',
        };
  const parsed = ToolSpecSchema.safeParse({
    ...rest,
    inputSchema,
    ...(approvalSpec ? { approval: approvalSpec } : {}),
  });
  if (!parsed.success) throw new TeamSpecError(subject, parsed.error.issues);
  return {
    spec: parsed.data,
    inputSchema: input,
    outputSchema: output,
    run: run as (input: unknown) => unknown,
    needsApproval: needsApproval as ToolDefinition['needsApproval'],
  };
}

import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import type {
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
  ToolUnion,
} from '@anthropic-ai/sdk/resources/messages';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Usage } from '../protocol/index.js';
import {
  FINGERPRINT_VERSION,
  agentFingerprint,
  fingerprintDifferences,
  readableFingerprint,
} from '../protocol/agent-fingerprint.js';
import { isAgentRef, type AgentRef } from '../protocol/agent-ref.js';
import {
  FailureType,
  decisionProblem,
  type AgentDefinition,
  type AgentSpec,
  type DecisionName,
  type TeamRegistry,
} from '../team/index.js';
import { answerKey, type AnswerJournal } from './answer-journal.js';
import { heartbeatUntilDone } from './heartbeat.js';
import { classifyModelError } from './model-errors.js';
import {
  ACTIVITY_HEADER,
  AGENT_HEADER,
  ATTEMPT_HEADER,
  RUN_HEADER,
  TEAM_HEADER,
  TURN_HEADER,
} from './providers/scripted-messages.js';

/** The model client's own timeout sits below the attempt's start-to-close, so the SDK gives up first. */
const TIMEOUT_MARGIN = 0.9;

type OutputFormat = ReturnType<typeof zodOutputFormat>;

/**
 * The worker's definition of the agent a run asks for, checked against the run's spec (or its
 * fingerprint), and the work handed to it checked against its input schema. Every refusal here is
 * final: retrying the same call on the same worker cannot fix it.
 */
export function resolveAgent(
  teams: TeamRegistry,
  input: { team: string; agent: AgentSpec | AgentRef; handoff?: { from: string; content: unknown } },
): { agent: AgentSpec; definition: AgentDefinition | undefined; format: OutputFormat | undefined } {
  const definition = teams.find(input.team)?.agent(input.agent.name);
  let agent: AgentSpec;
  let differs: string[];
  if (isAgentRef(input.agent)) {
    if (!definition) throw unknownAgent(input.team, input.agent.name);
    ({ agent, differs } = fromReference(input.team, input.agent, definition.spec));
  } else {
    agent = input.agent;
    differs = definition ? differences(definition.spec, agent) : [];
  }
  const outputSchema = definition?.outputSchema;
  if (
    (agent.output.kind === 'json' && !outputSchema) ||
    (agent.acceptsInput && !definition?.inputSchema) ||
    ((agent.tools ?? []).length > 0 && !definition)
  )
    throw unknownAgent(input.team, agent.name);
  if (differs.length) {
    throw ApplicationFailure.nonRetryable(
      `Agent "${agent.name}" of team "${input.team}" differs between the client and this worker (${differs.join(', ')}): start the worker with the same teams module as the client.`,
      FailureType.AgentMismatch,
    );
  }
  if (definition?.inputSchema && input.handoff) {
    const accepted = definition.inputSchema.safeParse(input.handoff.content);
    if (!accepted.success) {
      throw ApplicationFailure.nonRetryable(
        `agent "${agent.name}" refuses the work handed over by "${input.handoff.from}": ${z.prettifyError(accepted.error)}`,
        FailureType.InvalidHandoff,
      );
    }
  }
  return { agent, definition, format: outputSchema ? outputFormatOf(outputSchema) : undefined };
}

/**
 * The worker's spec for a call that names its agent by fingerprint, on the model the call asks for
 * (the cheaper one once the run's budget runs low), and where the run's spec differs from it.
 */
function fromReference(team: string, reference: AgentRef, spec: AgentSpec): { agent: AgentSpec; differs: string[] } {
  if (!readableFingerprint(reference.fingerprint)) {
    // A newer client's format: retryable, so that a newer worker of the queue takes the call.
    throw ApplicationFailure.retryable(
      `Agent "${reference.name}" of team "${team}" comes with a fingerprint this worker cannot read (${reference.fingerprint}; it reads ${FINGERPRINT_VERSION}): upgrade this worker to the clients' version of Troupe.`,
      FailureType.AgentMismatch,
    );
  }
  const differs = fingerprintDifferences(reference.fingerprint, agentFingerprint(spec));
  if (reference.model !== spec.model && reference.model !== spec.cheaperModel && !differs.includes('model'))
    differs.push('model');
  return { agent: onModel(spec, reference.model), differs };
}

/** The worker's spec of an agent on the model a call asks for: its own, or its cheaper one once the run's budget runs low. */
export function onModel(spec: AgentSpec, model: string): AgentSpec {
  return model === spec.cheaperModel ? { ...spec, model } : spec;
}

/** Output formats by schema: turning a zod schema into JSON Schema once per agent, not at every call. */
const outputFormats = new WeakMap<z.ZodType, OutputFormat>();
function outputFormatOf(schema: z.ZodType): OutputFormat {
  let format = outputFormats.get(schema);
  if (!format) outputFormats.set(schema, (format = zodOutputFormat(schema)));
  return format;
}

/** The worker's definition of an agent, or a final failure naming it. */
export function findAgent(teams: TeamRegistry, team: string, agent: string): AgentDefinition {
  const definition = teams.find(team)?.agent(agent);
  if (!definition) throw unknownAgent(team, agent);
  return definition;
}

function unknownAgent(team: string, agent: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `This worker does not know agent "${agent}" of team "${team}": start the worker with the same teams module as the client.`,
    FailureType.UnknownAgent,
  );
}

/**
 * One Messages API call for an agent: cached system prompt, its output format and tools, the
 * activity's cancellation. With a journal, an answer already paid for by an earlier attempt of
 * this activity is reused, and a new answer is journaled before it is returned.
 * With `onText`, the call streams and `onText` gets each piece of the answer's text as it arrives;
 * the message returned is the same as without it. A journaled answer is returned without `onText`.
 */
export async function askModel(
  anthropic: Anthropic,
  request: {
    team: string;
    agent: AgentSpec;
    messages: MessageParam[];
    format: OutputFormat | undefined;
    tools?: Tool[];
    turn?: number | undefined;
    onText?: ((delta: string) => void) | undefined;
  },
  answers?: AnswerJournal,
): Promise<Anthropic.Message> {
  const context = Context.current();
  const { agent, format } = request;
  const tools: ToolUnion[] = [...(request.tools ?? []), ...serverToolParams(agent)];
  const params: MessageCreateParamsNonStreaming = {
    model: agent.model,
    max_tokens: agent.maxTokens,
    // The system prompt is the stable prefix of every call this agent makes: cache it.
    system: [{ type: 'text', text: agent.system, cache_control: { type: 'ephemeral' } }],
    messages: request.messages,
    ...(tools?.length ? { tools } : {}),
    ...(format ? { output_config: { format: { type: format.type, schema: format.schema } } } : {}),
  };
  const key = answers ? answerKey(context.info, params) : undefined;
  // Read on every attempt: a server that restarts may hand out the same attempt again after it was answered.
  const journaled = key ? await journalRead(answers, key, context) : undefined;
  if (journaled) {
    context.log.info(
      `Reused the answer ${journaled.id} journaled by an earlier attempt: the model is not called again`,
      { agent: agent.name, attempt: context.info.attempt },
    );
    return journaled;
  }
  const stopHeartbeating = heartbeatUntilDone(context, 'waitingForModelMs');
  const timeout = Math.max(1, Math.floor(context.info.startToCloseTimeoutMs * TIMEOUT_MARGIN));
  const options = {
    signal: context.cancellationSignal,
    timeout,
    headers: {
      [AGENT_HEADER]: agent.name,
      [TEAM_HEADER]: request.team,
      [RUN_HEADER]: context.info.workflowExecution?.workflowId ?? '',
      [ACTIVITY_HEADER]: context.info.activityId,
      [ATTEMPT_HEADER]: String(context.info.attempt),
      ...(request.turn !== undefined ? { [TURN_HEADER]: String(request.turn) } : {}),
    },
  };
  let message: Anthropic.Message;
  try {
    message = request.onText
      ? await streamModel(anthropic, params, options, request.onText)
      : await anthropic.messages.create(params, options);
  } catch (error) {
    throw classifyModelError(error, agent.name);
  } finally {
    stopHeartbeating();
  }
  if (key) await journalWrite(answers, key, message, context);
  return message;
}

/**
 * The call through the SDK's streaming API, ending as `create` would: the same message, and the
 * same errors for the classifier. The SDK's timeout only covers the wait for the response's
 * headers, which a stream sends at once, so the whole stream gets the same deadline here.
 */
async function streamModel(
  anthropic: Anthropic,
  params: MessageCreateParamsNonStreaming,
  options: { signal: AbortSignal; timeout: number; headers: Record<string, string> },
  onText: (delta: string) => void,
): Promise<Anthropic.Message> {
  const stream = anthropic.messages.stream(params, options);
  stream.on('text', (delta) => onText(delta));
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    stream.abort();
  }, options.timeout);
  try {
    // The stream's final message carries the SDK's `parsed_output` (null: the format sent has no parser); `create` has none.
    const { parsed_output: _parsed, ...message } = await stream.finalMessage();
    return message;
  } catch (error) {
    if (timedOut && !options.signal.aborted) throw new Anthropic.APIConnectionTimeoutError();
    throw unwrapStreamError(error);
  } finally {
    clearTimeout(deadline);
  }
}

/**
 * The error as `create` would have raised it. The stream wraps an error that is not the SDK's own
 * (a body that is not valid JSON: SyntaxError; a throwing `onText`) in a plain AnthropicError with
 * the original as its cause; the SDK's own classes (APIError and its subclasses, aborts, timeouts) come as they are.
 */
function unwrapStreamError(error: unknown): unknown {
  if (error instanceof Anthropic.AnthropicError && error.constructor === Anthropic.AnthropicError) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) return cause;
  }
  return error;
}

/** A journal that cannot be read must not stop agents: the call is made, as without a journal. */
async function journalRead(
  answers: AnswerJournal | undefined,
  key: string,
  context: Context,
): Promise<Anthropic.Message | undefined> {
  try {
    return await answers?.get(key);
  } catch (error) {
    context.log.warn(`The answer journal could not be read; calling the model: ${(error as Error).message}`);
    return undefined;
  }
}

/** The answer is in hand: a journal that cannot be written only loses the protection against paying twice. */
async function journalWrite(
  answers: AnswerJournal | undefined,
  key: string,
  message: Anthropic.Message,
  context: Context,
): Promise<void> {
  try {
    await answers?.put(key, message);
  } catch (error) {
    context.log.warn(
      `The answer journal could not be written; a retry of this call would pay again: ${(error as Error).message}`,
    );
  }
}

export function textOf(message: Anthropic.Message): string {
  return message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
}

export function usageOf(message: Anthropic.Message): Usage {
  const server = message.usage.server_tool_use;
  return {
    inputTokens: message.usage.input_tokens,
    outputTokens: message.usage.output_tokens,
    cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
    ...(server?.web_search_requests ? { webSearchRequests: server.web_search_requests } : {}),
    ...(server?.web_fetch_requests ? { webFetchRequests: server.web_fetch_requests } : {}),
  };
}

/** The API's definitions of the agent's server tools: the API runs them within the model call. */
export function serverToolParams(agent: AgentSpec): ToolUnion[] {
  return (agent.serverTools ?? []).map((tool): ToolUnion => {
    const maxUses = tool.maxUses !== undefined ? { max_uses: tool.maxUses } : {};
    if (tool.kind === 'web_search') return { type: 'web_search_20250305', name: 'web_search', ...maxUses };
    if (tool.kind === 'web_fetch') return { type: 'web_fetch_20250910', name: 'web_fetch', ...maxUses };
    return { type: 'code_execution_20250825', name: 'code_execution' };
  });
}

/**
 * The agent's final answer: the text, or its structured output parsed with the agent's schema.
 * An answer outside the schema fails with InvalidStructuredOutput, carrying `details` (what it
 * cost, what was wrong) so the workflow can ask for a repair.
 */
export function finalOutput(
  format: OutputFormat | undefined,
  agent: AgentSpec,
  message: Anthropic.Message,
  text: string,
  details: Record<string, unknown>,
): unknown {
  if (!format) return text;
  try {
    return format.parse(text);
  } catch (error) {
    const truncated = message.stop_reason === 'max_tokens' ? ' (the answer hit maxTokens and was cut off)' : '';
    throw ApplicationFailure.create({
      message: `agent "${agent.name}" answered outside its output schema${truncated}: ${(error as Error).message}`,
      type: FailureType.InvalidStructuredOutput,
      // The workflow repairs this by asking again with the problem spelled out; a blind retry would not help.
      nonRetryable: true,
      details: [{ ...details, problem: (error as Error).message }],
    });
  }
}

/**
 * The decision a step reads (e.g. the supervisor's), checked here rather than in the workflow,
 * which would load zod for every run. An answer that is not it fails with InvalidDecision, with the
 * same details as InvalidStructuredOutput, so the workflow asks for a repair.
 */
export function checkDecision(
  reads: DecisionName | undefined,
  agent: AgentSpec,
  output: unknown,
  details: Record<string, unknown>,
): void {
  const problem = reads === undefined ? undefined : decisionProblem(reads, output);
  if (problem === undefined) return;
  throw ApplicationFailure.create({
    message: `agent "${agent.name}": ${problem}`,
    type: FailureType.InvalidDecision,
    nonRetryable: true,
    details: [{ ...details, problem }],
  });
}

/** What the worker's definition of an agent and the spec the run carries disagree on, if anything. */
function differences(worker: AgentSpec, run: AgentSpec): string[] {
  const fields: [string, unknown, unknown][] = [
    ['system prompt', worker.system, run.system],
    // A run whose budget runs low calls the agent with its cheaper model.
    ['model', worker.model, run.model === worker.cheaperModel ? worker.model : run.model],
    ['output', JSON.stringify(worker.output), JSON.stringify(run.output)],
    ['input schema', worker.acceptsInput, run.acceptsInput],
    // Specs from before tools existed have none.
    ['tools', worker.tools.map((t) => t.name).join(','), (run.tools ?? []).map((t) => t.name).join(',')],
  ];
  return fields.filter(([, a, b]) => a !== b).map(([name]) => name);
}

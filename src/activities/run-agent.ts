import type Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import type { MessageCreateParamsNonStreaming, MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import type { AgentSpec, TeamRegistry } from '../team/index.js';
import type { Usage } from '../protocol/index.js';
import { FailureType } from '../team/errors.js';
import { classifyModelError } from './model-errors.js';
import { AGENT_HEADER, RUN_HEADER, TEAM_HEADER } from './providers/scripted-messages.js';

export interface AgentCallInput {
  team: string;
  agent: AgentSpec;
  /** The whole user turn the agent sees, rendered by the workflow so history shows exactly what it was asked. */
  prompt: string;
  /** Set when a previous answer failed the agent's output schema: the model is shown it and asked to fix it. */
  repair?: { previousText: string; problem: string };
  /** The work handed to the agent, checked against the agent's input schema when it declares one. */
  handoff?: { from: string; content: unknown };
}

export interface AgentCallResult {
  /** The validated structured output, or the text for a text agent. */
  output: unknown;
  text: string;
  usage: Usage;
  model: string;
  stopReason: string | null;
}

export interface AgentActivityDeps {
  anthropic: Anthropic;
  teams: TeamRegistry;
}

/** The model client's own timeout sits below the attempt's start-to-close, so the SDK gives up first. */
const TIMEOUT_MARGIN = 0.9;

export function createRunAgent({ anthropic, teams }: AgentActivityDeps) {
  return async function runAgent(input: AgentCallInput): Promise<AgentCallResult> {
    const context = Context.current();
    const { agent } = input;
    const definition = teams.find(input.team)?.agent(agent.name);
    const outputSchema = definition?.outputSchema;
    if ((agent.output.kind === 'json' && !outputSchema) || (agent.acceptsInput && !definition?.inputSchema)) {
      throw ApplicationFailure.nonRetryable(
        `This worker does not know agent "${agent.name}" of team "${input.team}": start the worker with the same teams module as the client.`,
        FailureType.UnknownAgent,
      );
    }
    const differs = definition ? differences(definition.spec, agent) : [];
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
    const format = outputSchema ? zodOutputFormat(outputSchema) : undefined;
    const params: MessageCreateParamsNonStreaming = {
      model: agent.model,
      max_tokens: agent.maxTokens,
      // The system prompt is the stable prefix of every call this agent makes: cache it.
      system: [{ type: 'text', text: agent.system, cache_control: { type: 'ephemeral' } }],
      messages: buildMessages(input),
      ...(format ? { output_config: { format: { type: format.type, schema: format.schema } } } : {}),
    };

    const stopHeartbeating = heartbeatWhileWaiting(context);
    let message: Anthropic.Message;
    try {
      message = await anthropic.messages.create(params, {
        signal: context.cancellationSignal,
        timeout: Math.max(1, Math.floor(context.info.startToCloseTimeoutMs * TIMEOUT_MARGIN)),
        headers: { [AGENT_HEADER]: agent.name, [TEAM_HEADER]: input.team, [RUN_HEADER]: context.info.workflowExecution?.workflowId ?? '' },
      });
    } catch (error) {
      throw classifyModelError(error, agent.name);
    } finally {
      stopHeartbeating();
    }

    const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
    const usage: Usage = {
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
      cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
      cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
    };
    const result = { text, usage, model: message.model, stopReason: message.stop_reason };
    if (!format) return { ...result, output: text };
    try {
      return { ...result, output: format.parse(text) };
    } catch (error) {
      const truncated = message.stop_reason === 'max_tokens' ? ' (the answer hit maxTokens and was cut off)' : '';
      throw ApplicationFailure.create({
        message: `agent "${agent.name}" answered outside its output schema${truncated}: ${(error as Error).message}`,
        type: FailureType.InvalidStructuredOutput,
        // The workflow repairs this by asking again with the problem spelled out; a blind retry would not help.
        nonRetryable: true,
        details: [{ text, problem: (error as Error).message, usage }],
      });
    }
  };
}

/** What the worker's definition of an agent and the spec the run carries disagree on, if anything. */
function differences(worker: AgentSpec, run: AgentSpec): string[] {
  const fields: [string, unknown, unknown][] = [
    ['system prompt', worker.system, run.system],
    ['model', worker.model, run.model],
    ['output', JSON.stringify(worker.output), JSON.stringify(run.output)],
    ['input schema', worker.acceptsInput, run.acceptsInput],
  ];
  return fields.filter(([, a, b]) => a !== b).map(([name]) => name);
}

function buildMessages({ prompt, repair }: AgentCallInput): MessageParam[] {
  const messages: MessageParam[] = [{ role: 'user', content: prompt }];
  if (repair) {
    messages.push(
      { role: 'assistant', content: repair.previousText || '(empty answer)' },
      {
        role: 'user',
        content: `That answer does not match the required output schema:\n${repair.problem}\nAnswer again with only the corrected JSON.`,
      },
    );
  }
  return messages;
}

/** Heartbeats while the model call is in flight, so a lost worker is noticed long before start-to-close. */
function heartbeatWhileWaiting(context: Context): () => void {
  const everyMs = Math.max(200, Math.floor((context.info.heartbeatTimeoutMs ?? 30_000) / 3));
  const startedAt = Date.now();
  const timer = setInterval(() => context.heartbeat({ waitingForModelMs: Date.now() - startedAt }), everyMs);
  return () => clearInterval(timer);
}

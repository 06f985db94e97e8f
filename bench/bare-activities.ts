import type Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArgumentSchema, JudgmentSchema, type Argument, type Judgment } from '../src/team/decisions.js';
import { AGENT_HEADER } from '../src/activities/providers/scripted-messages.js';
import { MODELS } from '../src/team/spec.js';
import { bareFeedPublish } from './bare-feed.js';

/** A streamed call's request: `agent` routes it to its scripted replies; with `workflowId`, its text goes to that run's feed. */
export interface StreamedAsk {
  agent: string;
  batchMs: number;
  workflowId?: string;
}

/** A structured call's request: `agent` only routes the request to its scripted replies (a real app sends no such header). */
export interface StructuredAsk {
  agent: string;
  system: string;
  prompt: string;
}

// A hand-written app turns its schemas into output formats once, at start: the SDK's helper, as Troupe uses.
const argumentFormat = zodOutputFormat(ArgumentSchema);
const judgmentFormat = zodOutputFormat(JudgmentSchema);

/**
 * The bare workflows' activities: `work` waits `delayMs` (a zero-latency model when 0) and answers;
 * `ask` is what a hand-written Temporal app calling Claude does: one Messages API call through the
 * same client Troupe's worker uses (the offline provider in the benchmark), and its text back.
 * `argue` and `judge` are its structured calls: the schema sent as `output_config`, as Troupe sends
 * it, and the reply parsed and validated with the same zod schema in the activity. `askStreamed` asks
 * `streaming` (the streaming cases' model) and, given a run, streams the answer's text to the run's feed
 * as a hand-written app would: deltas gathered for `batchMs`, each batch signalled in order, and what is
 * still unsent when the answer ends returned with it (as Troupe does, so a short answer costs no signal).
 */
export function bareActivities(anthropic: Anthropic, streaming: Anthropic = anthropic) {
  async function structured<T>(
    format: { type: 'json_schema'; schema: Record<string, unknown>; parse(text: string): T },
    { agent, system, prompt }: StructuredAsk,
  ): Promise<T> {
    const message = await anthropic.messages.create(
      {
        model: MODELS.strong,
        max_tokens: 1024,
        system,
        messages: [{ role: 'user', content: prompt }],
        output_config: { format: { type: format.type, schema: format.schema } },
      },
      { headers: { [AGENT_HEADER]: agent } },
    );
    const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
    try {
      return format.parse(text);
    } catch (error) {
      // Asking again the same way would not help: the app fails the call for good.
      throw ApplicationFailure.nonRetryable(
        `${agent} answered outside its schema: ${(error as Error).message}`,
        'InvalidStructuredOutput',
      );
    }
  }
  return {
    async work({ input, delayMs }: { input: string; delayMs: number }): Promise<string> {
      if (delayMs > 0) await sleep(delayMs);
      return `done: ${input.slice(0, 40)}`;
    },
    async ask({ system, prompt }: { system: string; prompt: string }): Promise<string> {
      const message = await anthropic.messages.create({
        model: MODELS.strong,
        max_tokens: 1024,
        system,
        messages: [{ role: 'user', content: prompt }],
      });
      return message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
    },
    async askStreamed({ agent, batchMs, workflowId }: StreamedAsk): Promise<{ text: string; tail: string }> {
      const request = {
        model: MODELS.strong,
        max_tokens: 16_000,
        system: 'Write.',
        messages: [{ role: 'user' as const, content: 'Benchmark task.' }],
      };
      const options = { headers: { [AGENT_HEADER]: agent } };
      const textOf = (message: Anthropic.Message) =>
        message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
      if (workflowId === undefined)
        return { text: textOf(await streaming.messages.create(request, options)), tail: '' };
      const run = Context.current().client.workflow.getHandle(workflowId);
      let pending = '';
      let timer: ReturnType<typeof setTimeout> | undefined;
      let sending = Promise.resolve();
      const flush = () => {
        timer = undefined;
        const batch = pending;
        pending = '';
        sending = sending.then(() => run.signal(bareFeedPublish, batch));
      };
      const stream = streaming.messages.stream(request, options);
      stream.on('text', (delta) => {
        pending += delta;
        timer ??= setTimeout(flush, batchMs);
      });
      const message = await stream.finalMessage();
      clearTimeout(timer);
      await sending;
      return { text: textOf(message), tail: pending };
    },
    argue: (ask: StructuredAsk): Promise<Argument> => structured(argumentFormat, ask),
    judge: (ask: StructuredAsk): Promise<Judgment> => structured(judgmentFormat, ask),
  };
}

export type BareActivities = ReturnType<typeof bareActivities>;

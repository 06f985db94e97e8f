import type Anthropic from '@anthropic-ai/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import { MODELS } from '../src/team/spec.js';

/**
 * The bare workflows' activities: `work` waits `delayMs` (a zero-latency model when 0) and answers;
 * `ask` is what a hand-written Temporal app calling Claude does: one Messages API call through the
 * same client Troupe's worker uses (the offline provider in the benchmark), and its text back.
 */
export function bareActivities(anthropic: Anthropic) {
  return {
    async work({ input, delayMs }: { input: string; delayMs: number }): Promise<string> {
      if (delayMs > 0) await sleep(delayMs);
      return `done: ${input.slice(0, 40)}`;
    },
    async ask({ system, prompt }: { system: string; prompt: string }): Promise<string> {
      const message = await anthropic.messages.create({ model: MODELS.strong, max_tokens: 1024, system, messages: [{ role: 'user', content: prompt }] });
      return message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
    },
  };
}

export type BareActivities = ReturnType<typeof bareActivities>;

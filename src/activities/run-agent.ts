import type Anthropic from '@anthropic-ai/sdk';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { AgentSpec, DecisionName, TeamRegistry } from '../team/index.js';
import type { AgentRef } from '../protocol/agent-ref.js';
import type { Usage } from '../protocol/index.js';
import type { FeedTarget } from '../protocol/feed-interface.js';
import type { AnswerJournal } from './answer-journal.js';
import { withFeed, type FeedTail } from './feed-publisher.js';
import { askModel, checkDecision, finalOutput, resolveAgent, textOf, usageOf } from './model-call.js';

export interface AgentCallInput {
  team: string;
  /** The agent by fingerprint; the whole spec in calls of runs started without fingerprints. */
  agent: AgentSpec | AgentRef;
  /** The whole user turn the agent sees, rendered by the workflow so history shows exactly what it was asked. */
  prompt: string;
  /** Set when a previous answer failed the agent's output schema: the model is shown it and asked to fix it. */
  repair?: { previousText: string; problem: string };
  /** The work handed to the agent, checked against the agent's input schema when it declares one. */
  handoff?: { from: string; content: unknown };
  /** The decision the step reads the output as: checked here, and echoed in the result. */
  reads?: DecisionName;
  /** Which of the agent's model turns in the run this is (1, 2, ...): the offline scripts answer by it. */
  turn?: number;
  /** Where the call streams what the model writes; absent when the run does not stream. */
  feed?: FeedTarget;
}

export interface AgentCallResult {
  /** The validated structured output, or the text for a text agent. */
  output: unknown;
  /** The decision the output was checked to be (the input's `reads`); absent from workers that did not check. */
  reads?: DecisionName;
  text: string;
  usage: Usage;
  model: string;
  stopReason: string | null;
  /** The end of the text the feed did not get by signal: the workflow adds it. */
  feedTail?: FeedTail;
}

export interface AgentActivityDeps {
  anthropic: Anthropic;
  teams: TeamRegistry;
  /** Paid answers kept by the worker, so a retried attempt reuses its predecessor's answer. */
  answers?: AnswerJournal;
}

export function createRunAgent({ anthropic, teams, answers }: AgentActivityDeps) {
  return async function runAgent(input: AgentCallInput): Promise<AgentCallResult> {
    const { agent, format } = resolveAgent(teams, input);
    return withFeed<AgentCallResult>(input.feed, input.turn, async (onText) => {
      const message = await askModel(
        anthropic,
        { team: input.team, agent, messages: buildMessages(input), format, turn: input.turn, onText },
        answers,
      );
      const text = textOf(message);
      const usage = usageOf(message);
      const result = { text, usage, model: message.model, stopReason: message.stop_reason };
      const output = finalOutput(format, agent, message, text, { text, usage });
      checkDecision(input.reads, agent, output, { text, usage });
      return { result: { ...result, output, ...(input.reads ? { reads: input.reads } : {}) }, text };
    });
  };
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

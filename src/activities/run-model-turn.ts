import type Anthropic from '@anthropic-ai/sdk';
import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import type { ContentBlockParam, MessageParam, Tool, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { z } from 'zod';
import type { AgentRef } from '../protocol/agent-ref.js';
import { DelegationInputSchema, delegateDescription, delegateTool, type Usage } from '../protocol/index.js';
import type { AgentSpec, DecisionName, TeamRegistry } from '../team/index.js';
import type { FeedTarget } from '../protocol/feed-interface.js';
import type { AnswerJournal } from './answer-journal.js';
import { withFeed, type FeedTail } from './feed-publisher.js';
import {
  askModel,
  checkDecision,
  findAgent,
  finalOutput,
  onModel,
  resolveAgent,
  textOf,
  usageOf,
} from './model-call.js';
import { claimKey, type PayloadStore } from './payload-store.js';
import { mcpSystemText, mcpToolParams, type McpServers } from './run-mcp-tool.js';
import type { ToolOutcome, ToolUse } from './tool-calls.js';
import { summarise } from '../protocol/text.js';

export interface ModelTurnInput {
  team: string;
  /** Who is asked: enough for the history and the UI on every turn. */
  agent: Pick<AgentSpec, 'name' | 'role' | 'model'>;
  /** The agent by fingerprint (the whole spec in runs started without fingerprints) and the task, on the first turn only: later turns continue the stored conversation. */
  first?: { spec: AgentSpec | AgentRef; prompt: string };
  /** The conversation so far, by claim-check key; absent on the first turn. */
  conversation?: string;
  /** Results of the tool calls the previous turn asked for, in the order it asked. */
  toolResults?: ToolOutcome[];
  /** Set when the previous final answer failed the agent's output schema. */
  repair?: { problem: string };
  handoff?: { from: string; content: unknown };
  /** The decision the step reads the final answer as: checked here, and echoed in the result. */
  reads?: DecisionName;
  /** Which of the agent's model turns in the run this is (1, 2, ...): the offline scripts answer by it. */
  turn?: number;
  /** Where the call streams what the model writes; absent when the run does not stream. */
  feed?: FeedTarget;
}

export interface ModelTurnResult {
  /** The conversation including this turn, by claim-check key: the next turn continues it. */
  conversation: string;
  /** The tool calls the model asked for; none when this turn is its final answer. */
  toolUses: ToolUse[];
  /** The final answer (validated structured output, or the text), when there are no tool calls. */
  output?: unknown;
  /** The decision the final answer was checked to be (the input's `reads`). */
  reads?: DecisionName;
  /** The start of what the model said this turn, for the history and the transcript. */
  text: string;
  usage: Usage;
  model: string;
  stopReason: string | null;
  /** The end of the text the feed did not get by signal: the workflow adds it. */
  feedTail?: FeedTail;
}

/**
 * One model turn of a tool-using agent. The conversation lives in the payload store: each turn
 * loads it, adds the tool results (or a repair request), asks the model, stores it again and hands
 * back only its key and the tool calls, so the event history grows with turns, not with their text.
 */
export function createRunModelTurn({
  anthropic,
  teams,
  payloads,
  mcp,
  answers,
}: {
  anthropic: Anthropic;
  teams: TeamRegistry;
  payloads: PayloadStore;
  mcp?: McpServers;
  answers?: AnswerJournal;
}) {
  return async function runModelTurn(input: ModelTurnInput): Promise<ModelTurnResult> {
    // The first turn checks the run's spec against the worker's; later turns use the worker's (the same),
    // with the cheaper model when the run's budget switched the agent to it.
    const asked = input.first?.spec ?? onModel(findAgent(teams, input.team, input.agent.name).spec, input.agent.model);
    const {
      agent: spec,
      definition,
      format,
    } = resolveAgent(teams, { team: input.team, agent: asked, ...(input.handoff ? { handoff: input.handoff } : {}) });
    const messages = input.conversation
      ? ((await payloads.get(input.conversation)) as MessageParam[])
      : [{ role: 'user' as const, content: input.first?.prompt ?? '' }];
    if (input.toolResults?.length)
      messages.push({
        role: 'user',
        content: await Promise.all(input.toolResults.map((r) => toolResultBlock(r, payloads))),
      });
    if (input.repair) {
      messages.push({
        role: 'user',
        content: `That answer cannot be used:\n${input.repair.problem}\nAnswer again, correcting it.`,
      });
    }
    const tools: Tool[] = spec.tools.flatMap((toolSpec) => {
      const tool = definition?.tool(toolSpec.name);
      if (!tool) return [];
      // The SDK's zod tool helper turns the input schema into the tool definition the API expects.
      const {
        run: _run,
        parse: _parse,
        ...param
      } = betaZodTool({
        name: toolSpec.name,
        description: toolSpec.description,
        inputSchema: tool.inputSchema as z.ZodObject,
        run: () => '',
      });
      return [param as Tool];
    });
    tools.push(...(await mcpToolParams(mcp, spec)));
    for (const member of spec.delegates ?? []) {
      const who = teams.find(input.team)?.agent(member)?.spec.role ?? 'a sub-team of this team';
      const {
        run: _run,
        parse: _parse,
        ...param
      } = betaZodTool({
        name: delegateTool(member),
        description: delegateDescription(member, who),
        inputSchema: DelegationInputSchema,
        run: () => '',
      });
      tools.push(param as Tool);
    }
    // Prompts the agent's MCP servers contribute follow its own system prompt (a stable prefix, cached with it).
    const serverText = await mcpSystemText(mcp, spec);
    const withServers = serverText ? { ...spec, system: `${spec.system}\n\n${serverText}` } : spec;
    return withFeed<ModelTurnResult>(input.feed, input.turn, async (onText) => {
      const message = await askModel(
        anthropic,
        { team: input.team, agent: withServers, messages, format, tools, turn: input.turn, onText },
        answers,
      );
      return { result: await turnResult(message), text: textOf(message) };
    });

    async function turnResult(message: Anthropic.Message): Promise<ModelTurnResult> {
      messages.push({ role: 'assistant', content: message.content.map(asParam) });
      const conversation = claimKey('conversation');
      await payloads.put(conversation, messages);

      const text = textOf(message);
      const usage = usageOf(message);
      const toolUses = message.content.flatMap((block) =>
        block.type === 'tool_use' ? [{ id: block.id, name: block.name, input: block.input }] : [],
      );
      const result = {
        conversation,
        toolUses,
        text: summarise(text, 500),
        usage,
        model: message.model,
        stopReason: message.stop_reason,
      };
      if (toolUses.length) return result;
      const output = finalOutput(format, spec, message, text, { text, usage, conversation });
      checkDecision(input.reads, spec, output, { text, usage, conversation });
      return { ...result, output, ...(input.reads ? { reads: input.reads } : {}) };
    }
  };
}

async function toolResultBlock(result: ToolOutcome, payloads: PayloadStore): Promise<ToolResultBlockParam> {
  const stored = result.content ?? (await payloads.get(result.ref ?? ''));
  const content =
    typeof stored === 'string' || Array.isArray(stored)
      ? (stored as ToolResultBlockParam['content'] & {})
      : String(stored);
  return { type: 'tool_result', tool_use_id: result.toolUseId, content, ...(result.isError ? { is_error: true } : {}) };
}

/** A response block as the next request's history: the same block, without response-only fields. */
function asParam(block: Anthropic.ContentBlock): ContentBlockParam {
  if (block.type === 'text') return { type: 'text', text: block.text };
  if (block.type === 'tool_use') return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
  return block;
}

import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DelegationInputSchema, delegateDescription, delegateTool } from '../../src/protocol/index.js';
import { defineAgent, defineTeam, defineTool } from '../../src/team/index.js';
import { AgentSpecSchema, TeamSpecSchema } from '../../src/team/spec.js';
import {
  REQUEST_OVERHEAD_TOKENS,
  callNeed,
  delegateToolsAtMost,
  nextTurnNeed,
  stopAtDeadline,
  tokensAtMost,
} from '../../src/workflows/runtime/call-bounds.js';

// The worst case a budget holds for a model call: deterministic, and never below the text's UTF-8 bytes.
const agent = AgentSpecSchema.parse({
  name: 'w',
  role: 'writer',
  system: 'You are w.',
  output: { kind: 'text' },
  maxTokens: 1_000,
  cheaperModel: 'claude-haiku-5-5',
});

describe('call bounds', () => {
  it.each(['plain ASCII text', 'accents: déjà vu, naïve', 'CJK: 予算は正確です', 'emoji: 🚀🧭 and a "quote"\n'])(
    'counts at least the UTF-8 bytes of %s as JSON',
    (text) => {
      expect(tokensAtMost(text)).toBeGreaterThanOrEqual(Buffer.byteLength(text));
      expect(tokensAtMost({ text })).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify({ text })));
    },
  );

  it('a call may spend its spec, its messages and the overhead as input, and maxTokens as output, on either model', () => {
    const need = callNeed(agent, ['Write the note.', undefined]);
    expect(need.outputTokens).toBe(1_000);
    expect(need.models).toEqual([agent.model, 'claude-haiku-5-5']);
    expect(need.inputTokens).toBe(callNeed(agent, []).inputTokens + tokensAtMost('Write the note.'));
    expect(callNeed(agent, []).inputTokens).toBeGreaterThan(REQUEST_OVERHEAD_TOKENS + tokensAtMost(agent.system));
  });

  it('a tool loop’s next turn may spend the last turn’s input and output again, plus the tool results', () => {
    const last = { inputTokens: 1_200, outputTokens: 300, cacheReadTokens: 500, cacheWriteTokens: 0 };
    const results = [
      { toolUseId: 'toolu_1', isError: false, content: 'found it', bytes: 8, preview: 'found it' },
      { toolUseId: 'toolu_2', isError: false, ref: 'k', bytes: 40_000, preview: '…' },
    ];
    const need = nextTurnNeed(agent, last, results, undefined);
    expect(need.inputTokens).toBe(REQUEST_OVERHEAD_TOKENS + 1_700 + 300 + 8 + 40_000 + 2 * tokensAtMost('toolu_1'));
    expect(need.outputTokens).toBe(1_000);
  });

  it('counts each tool’s input schema, as the model is sent it', () => {
    const lookup = defineTool({
      name: 'lookup',
      description: 'Looks a thing up.',
      input: z.object({ query: z.string().describe('x'.repeat(2_000)), limit: z.number().int() }),
      run: () => 'found',
    });
    const withTool = { ...agent, tools: [lookup.spec] };
    // What the worker sends for the tool: the SDK's tool helper on the same zod schema.
    const {
      run: _run,
      parse: _parse,
      ...sent
    } = betaZodTool({
      name: 'lookup',
      description: 'Looks a thing up.',
      inputSchema: lookup.inputSchema as z.ZodObject,
      run: () => '',
    });
    expect(lookup.spec.inputSchema).toEqual((sent as { input_schema: unknown }).input_schema);
    expect(callNeed(withTool, []).inputTokens - callNeed(agent, []).inputTokens).toBeGreaterThanOrEqual(
      Buffer.byteLength(JSON.stringify(sent)),
    );
  });

  it('counts at least what the worker sends for each delegate tool', () => {
    const writer = defineAgent({ name: 'writer', role: 'technical writer', system: 'Write.', output: 'text' });
    const lead = defineAgent({
      name: 'lead',
      role: 'lead',
      system: 'Lead.',
      output: 'text',
      delegates: ['writer', 'research'],
    });
    const research = defineTeam({
      name: 'research',
      agents: [writer],
      topology: { kind: 'pipeline', steps: [{ agent: 'writer' }] },
    });
    const team = defineTeam({
      name: 'desk',
      agents: [lead, writer],
      subteams: [research],
      topology: { kind: 'pipeline', steps: [{ agent: 'lead' }] },
    });
    const sent = [
      ['writer', 'technical writer'],
      ['research', 'a sub-team of this team'],
    ].map(([member, who]) => {
      const {
        run: _run,
        parse: _parse,
        ...tool
      } = betaZodTool({
        name: delegateTool(member!),
        description: delegateDescription(member!, who!),
        inputSchema: DelegationInputSchema,
        run: () => '',
      });
      return Buffer.byteLength(JSON.stringify(tool));
    });
    const counted = delegateToolsAtMost(
      team.spec.agents.find((a) => a.name === 'lead')!,
      team.spec,
    );
    expect(counted).toBeGreaterThanOrEqual(sent[0]! + sent[1]!);
    expect(counted).toBeLessThan(2 * (sent[0]! + sent[1]!)); // an upper bound, not a guess
  });

  it('bounds a call’s schedule-to-close by the time left, never past the agent’s own total', () => {
    const team = TeamSpecSchema.parse({
      name: 't',
      agents: [agent],
      topology: { kind: 'pipeline', steps: [{ agent: 'w' }] },
    });
    expect(stopAtDeadline(agent, team, undefined)).toEqual({});
    expect(stopAtDeadline(agent, team, 3_000)).toEqual({ scheduleToCloseTimeout: 3_000 });
    expect(stopAtDeadline(agent, team, 86_400_000)).toEqual({ scheduleToCloseTimeout: 600_000 });
  });
});

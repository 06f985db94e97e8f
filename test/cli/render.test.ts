import { describe, expect, it } from 'vitest';
import { formatEnvelope, formatUsage } from '../../src/cli/render.js';

// The lines troupe run and troupe status print.
describe('terminal rendering', () => {
  it('prints a tool call with the agent, the tool, its input and the start of its result, errors marked', () => {
    const base = {
      seq: 3,
      from: 'researcher',
      to: 'tool:read_note',
      kind: 'tool' as const,
      at: '2026-11-26T10:00:00.000Z',
      round: 2,
    };
    expect(
      formatEnvelope({
        ...base,
        content: {
          input: { id: 'retries' },
          isError: false,
          result: '# Retries belong to the orchestrator',
          bytes: 200,
        },
      }),
    ).toBe('  ⚙ researcher → tool:read_note({ "id": "retries" }): # Retries belong to the orchestrator');
    expect(
      formatEnvelope({
        ...base,
        content: { input: { id: 'nope' }, isError: true, result: 'no note "nope"', bytes: 14 },
      }),
    ).toContain('  error: no note "nope"');
  });

  it('prints usage with server tool uses and the estimated cost when there are any', () => {
    const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 2 };
    expect(formatUsage(usage, 2)).toBe('2 agent call(s) · tokens: 10 in, 5 out, 0 cache read, 2 cache write');
    expect(formatUsage({ ...usage, webSearchRequests: 3 }, 2, 0.0123)).toBe(
      '2 agent call(s) · tokens: 10 in, 5 out, 0 cache read, 2 cache write, 3 web search(es) · estimated cost $0.0123',
    );
  });
});

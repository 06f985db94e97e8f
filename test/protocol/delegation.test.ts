import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DELEGATE_INPUT_SCHEMA_BYTES,
  DelegationInputSchema,
  delegatedMember,
  delegatedTask,
  delegateTool,
} from '../../src/protocol/index.js';

describe('delegation as a tool call', () => {
  it('reads the sub-task exactly as the schema the model is given does', () => {
    const inputs: unknown[] = [
      { task: 'write the intro' },
      { task: 'x', extra: 1 },
      { task: '' },
      { task: 42 },
      {},
      null,
      'write',
      ['write'],
      { task: ['write'] },
    ];
    for (const input of inputs) {
      const parsed = DelegationInputSchema.safeParse(input);
      expect(delegatedTask(input), JSON.stringify(input)).toBe(parsed.success ? parsed.data.task : undefined);
    }
  });

  it('counts at least the bytes of the input schema the model is sent, without zod', () => {
    const bytes = Buffer.byteLength(JSON.stringify(z.toJSONSchema(DelegationInputSchema, { reused: 'ref' })));
    expect(DELEGATE_INPUT_SCHEMA_BYTES).toBeGreaterThanOrEqual(bytes);
    expect(DELEGATE_INPUT_SCHEMA_BYTES).toBeLessThan(bytes + 100);
  });

  it('names the member a tool delegates to, only among the delegates', () => {
    expect(delegatedMember(delegateTool('writer'), ['writer'])).toBe('writer');
    expect(delegatedMember(delegateTool('writer'), ['editor'])).toBeUndefined();
    expect(delegatedMember('search', ['writer'])).toBeUndefined();
  });
});

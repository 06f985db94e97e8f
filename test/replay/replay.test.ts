import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflowCode } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayHistoryFile } from '../../src/workers/index.js';
import { PATCHES, type PatchId } from '../../src/workflows/runtime/patches.js';
import { troupe } from '../support/cli.js';
import { bundleWorkflows } from '../support/temporal.js';

// Runs in flight must survive a deploy: every recorded history replays on the current code.
const HISTORIES = fileURLToPath(new URL('../histories/', import.meta.url));
const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
let bundle: WorkflowBundle;
const noop = (): void => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

beforeAll(async () => {
  bundle = await bundleWorkflows();
});

describe('replay of recorded histories', () => {
  it('has a recorded run of every topology, a sub-team, an approval, refused decisions, a tool loop, a tool approval, budgets, time caps, an optional step skipped, an optional debater skipped, two gates in turn and signed decisions', () => {
    expect(files).toEqual(
      expect.arrayContaining(
        [
          'research-brief',
          'support-desk',
          'launch-plan',
          'architecture-debate',
          'incident-swarm',
          'concierge',
          'launch-plan.child-research-brief',
          'approval',
          'refused-decisions',
          'field-research',
          'tool-approval',
          'budget-parallel',
          'budget-ask',
          'degraded',
          'degraded-debate',
          'gates-in-turn',
          'signed-decisions',
          'exact-tokens',
          'time-cap',
          'time-cap-uncut',
          'failed-subteam',
          'failed-subteam.child-failing-leaf',
        ].map((name) => `recorded-${name}.json`),
      ),
    );
  });

  it('keeps recorded-time-cap-uncut.json a run of the code before its patch: no marker for it, and the run ended at maxTime', () => {
    // Recorded again on the current code, it would show the new reading and guard nothing.
    type Payloads = { payloads?: { data?: string }[] };
    const { events } = JSON.parse(readFileSync(`${HISTORIES}recorded-time-cap-uncut.json`, 'utf8')) as {
      events: {
        markerRecordedEventAttributes?: { details?: Record<string, Payloads> };
        workflowExecutionCompletedEventAttributes?: { result?: Payloads };
      }[];
    };
    const decoded = (p: Payloads | undefined) =>
      (p?.payloads ?? []).map(
        (x) => JSON.parse(Buffer.from(x.data ?? '', 'base64').toString('utf8')) as Record<string, unknown>,
      );
    const patches = events.flatMap((e) =>
      decoded(e.markerRecordedEventAttributes?.details?.['patch-data']).map((d) => d['id']),
    );
    expect(patches).toContain('troupe-exact-caps');
    expect(patches).not.toContain('troupe-time-cap-cut-calls' satisfies PatchId);
    expect(PATCHES).toHaveProperty('troupe-time-cap-cut-calls');
    const [result] = events.flatMap((e) => decoded(e.workflowExecutionCompletedEventAttributes?.result));
    expect(result).toMatchObject({ partial: true, stoppedBy: 'maxTime' });
  });

  it.each(files)('%s replays on the current code', async (file) => {
    const outcome = await replayHistoryFile(`${HISTORIES}${file}`, { workflowBundle: bundle });
    expect(outcome.problem).toBeUndefined();
    expect(outcome.ok).toBe(true);
  });

  it('fails for the same change made without patched(): the suite catches a topology change that would break runs in flight', async () => {
    const unpatched = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/unpatched-workflows.ts', import.meta.url)),
      logger: quiet,
    });
    const outcome = await replayHistoryFile(`${HISTORIES}recorded-support-desk.json`, { workflowBundle: unpatched });
    expect(outcome.ok).toBe(false);
    expect(outcome.problem).toContain('Nondeterminism error');
  });

  it("troupe replay checks a user's own recorded run", async () => {
    const { code, stdout } = await troupe(['replay', `${HISTORIES}recorded-support-desk.json`]);
    expect(code).toBe(0);
    expect(stdout).toContain('recorded-support-desk.json: replays cleanly on the current code');
  });
});

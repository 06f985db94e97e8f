import { describe, expect, it } from 'vitest';
import { createOfflineAnthropic } from '../../src/activities/index.js';
import { TroupeClient } from '../../src/client/index.js';
import { createTroupeWorker, loadTeamsModule } from '../../src/workers/index.js';
import { uniqueId, useTemporal } from '../support/temporal.js';

// Every bundled example runs in the offline demo mode, end to end, to a complete result.
// The offline replies take real time (they pace the demo), so this runs on the dev server, not with time skipping.
const temporal = useTemporal('dev-server');

describe('examples', () => {
  it('has one runnable team per topology, each completing offline', async () => {
    const examples = await loadTeamsModule();
    const topologies = examples.registry.names.map((name) => examples.registry.get(name).spec.topology.kind);
    expect(new Set(topologies)).toEqual(new Set(['pipeline', 'router', 'supervisor', 'debate', 'swarm', 'handoff']));

    const { anthropic, scripted } = createOfflineAnthropic(examples.offlineScript);
    const taskQueue = uniqueId('examples');
    const worker = await createTroupeWorker({
      connection: temporal.env.nativeConnection,
      taskQueue,
      teams: examples.registry,
      anthropic,
      workflowBundle: temporal.bundle,
    });
    const troupe = new TroupeClient(temporal.env.client, examples.registry, { taskQueue });
    const results = await worker.runUntil(
      Promise.all(
        [
          'research-brief',
          'support-desk',
          'launch-plan',
          'architecture-debate',
          'incident-swarm',
          'concierge',
          'field-research',
        ].map(async (team) => {
          const run = await troupe.start(team, `Example task for ${team}`, { workflowId: uniqueId(team) });
          return [team, await run.result()] as const;
        }),
      ),
    );
    for (const [team, result] of results) {
      expect(result.partial, team).toBe(false);
      expect(result.warnings, team).toEqual([]);
    }
    const byTeam = Object.fromEntries(results);
    expect(byTeam['support-desk']?.output).toContain('refunded the duplicate');
    expect(byTeam['launch-plan']?.output).toMatch(/^GO\./);
    expect(byTeam['launch-plan']?.transcript.some((e) => e.from === 'research-brief' && e.childWorkflowId)).toBe(true);
    expect(byTeam['architecture-debate']?.output).toMatchObject({ decision: 'modular monolith', rounds: 2 });
    expect(byTeam['incident-swarm']?.output).toMatchObject({ open: [] });
    expect(byTeam['concierge']?.output).toContain('18,300 points remain');
    // The agent with tools searched and read the shipped notes, and its sources passed the code check.
    const research = byTeam['field-research'];
    expect(research?.transcript.filter((e) => e.kind === 'tool').map((e) => e.to)).toEqual([
      'tool:search_notes',
      'tool:read_note',
      'tool:read_note',
    ]);
    expect(research?.transcript.find((e) => e.to === 'tool:read_note')?.content).toMatchObject({
      isError: false,
      result: expect.stringContaining('Retries belong to the orchestrator') as string,
    });
    expect(research?.transcript.filter((e) => e.kind === 'verdict').map((e) => e.from)).toEqual([
      'check:cites-real-notes',
      'validator',
    ]);
    expect(research?.output).toContain('not paid twice');
    // Nothing was answered by a fallback "no scripted reply" error: every request had its script.
    expect(scripted.requests.every((r) => r.team && r.agent)).toBe(true);
  });
});

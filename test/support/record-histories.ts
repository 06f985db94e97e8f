/**
 * Records the event history of one run of every topology (and of an approval and a sub-team) into
 * test/histories, for the replay suite. Run it when a topology changes on purpose and old runs no
 * longer matter: `npm run record-histories`, or name some to record only those, e.g.
 * `npm run record-histories -- refused-decisions`. Uses the real dev server and the offline provider.
 * Files are named after the run's workflow id, which replay needs (sub-team ids derive from it).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createOfflineAnthropic } from '../../src/activities/index.js';
import { TroupeClient, type RunHandle } from '../../src/client/index.js';
import { TeamRegistry } from '../../src/team/index.js';
import { createTroupeWorker, loadTeamsModule } from '../../src/workers/index.js';
import { resolveTemporalBinary } from '../../src/hosting/index.js';
import { approvalTeams, toolTeam } from './teams.js';
import {
  askingTeam,
  fanOnBudget,
  fanOnTokens,
  leadOfFailing,
  loopUnderBudget,
  optionalCritic,
  ownTimeoutNearCap,
  signedGate,
  slowCall,
} from './budget-teams.js';
import { gateBesideBudget, optionalDebater } from './degradation-teams.js';
import { signDecision } from '../../src/client/index.js';
import { devServerEnvironment } from './temporal.js';

const env = await devServerEnvironment();
const examples = await loadTeamsModule();
const registry = new TeamRegistry([
  ...examples.registry.names.map((n) => examples.registry.get(n)),
  ...approvalTeams,
  toolTeam,
  askingTeam,
  fanOnBudget,
  fanOnTokens,
  leadOfFailing,
  slowCall,
  ownTimeoutNearCap,
  optionalCritic,
  signedGate,
  gateBesideBudget,
  optionalDebater,
  loopUnderBudget,
]);
// Signed decisions are checked by the worker with this secret.
process.env['TROUPE_DECISION_SECRET'] = 'recorded-secret';
const { anthropic } = createOfflineAnthropic({
  ...examples.offlineScript,
  'approve-in-week/drafter': [{ text: 'the draft' }],
  ...Object.fromEntries(['s1', 's2', 's3', 's4'].map((agent) => [`asking-team/${agent}`, [{ text: `step ${agent}` }]])),
  ...Object.fromEntries(
    ['w1', 'w2', 'w3', 'editor'].map((agent) => [`fan-on-budget/${agent}`, [{ text: `part ${agent}` }]]),
  ),
  ...Object.fromEntries(
    ['w1', 'w2', 'w3', 'editor'].map((agent) => [
      `fan-on-tokens/${agent}`,
      [{ text: `part ${agent}`, delayMs: 200, usage: { inputTokens: 300, outputTokens: 200 } }],
    ]),
  ),
  'lead-of-failing/lead': [
    { toolUse: [{ name: 'delegate_failing-leaf', input: { task: 'try it' } }] },
    { text: 'it failed; here is why' },
  ],
  'failing-leaf/f1': [{ text: 'first' }],
  'failing-leaf/f2': [{ error: { status: 400, message: 'bad request' } }],
  'slow-call/w1': [{ text: 'slow', delayMs: 10_000 }],
  'slow-call/w2': [{ text: 'never' }],
  'own-timeout-near-cap/w0': [{ text: 'first', delayMs: 3_000 }],
  'own-timeout-near-cap/w1': [{ text: 'too late', delayMs: 60_000 }],
  'own-timeout-near-cap/w2': [{ text: 'last' }],
  'optional-critic/drafter': [{ text: 'the draft' }],
  'optional-critic/critic': [{ error: { status: 400, message: 'bad request' } }],
  'signed-gate/drafter': [{ text: 'release 1.2' }],
  'gate-beside-budget/publisher': [
    { toolUse: [{ name: 'publish', input: { text: 'the note' } }] },
    { json: { answer: 'published it' } },
  ],
  'gate-beside-budget/w1': [{ text: 'one' }],
  'gate-beside-budget/w2': [{ text: 'two' }],
  'optional-debater/pro': [{ json: { position: 'yes', argument: 'because yes' } }],
  'optional-debater/con': [{ json: { position: 'no', argument: 'because no' } }],
  'optional-debater/third': [{ error: { status: 400, message: 'bad request' } }],
  'optional-debater/judge': [{ json: { decision: 'yes', rationale: 'stronger' } }],
  // Two tool turns, then a turn the API refuses for good; the fallback's first answer misses its schema.
  'loop-under-budget/researcher': [
    { toolUse: [{ name: 'lookup', input: { topic: 'temporal' } }] },
    {
      toolUse: [
        { name: 'lookup', input: { topic: 'replay' } },
        { name: 'missing', input: {} },
      ],
    },
    { error: { status: 400, message: 'bad request' } },
  ],
  'loop-under-budget/backup': [{ text: 'not json' }, { json: { position: 'durable', argument: 'replay keeps it' } }],
  'loop-under-budget/editor': [{ text: 'edited' }],
  'loop-under-budget/publisher': [{ text: 'never: no calls left' }],
  'tool-team/researcher': [
    {
      toolUse: [
        { name: 'search', input: { query: 'launch' } },
        { name: 'publish', input: { text: 'the launch note' } },
      ],
    },
    { json: { answer: 'searched; publishing was refused' } },
  ],
});
const taskQueue = 'record-histories';
const worker = await createTroupeWorker({ connection: env.nativeConnection, taskQueue, teams: registry, anthropic });
const troupe = new TroupeClient(env.client, registry, { taskQueue, searchAttributes: true });

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);
const awaitingPublish = async (run: RunHandle) => {
  while ((await run.progress())?.awaiting?.gate !== 'publish') await new Promise((r) => setTimeout(r, 100));
};

await worker.runUntil(async () => {
  const runs = [
    'research-brief',
    'support-desk',
    'launch-plan',
    'architecture-debate',
    'incident-swarm',
    'concierge',
    'field-research',
  ].filter(wanted);
  for (const team of runs) {
    const run = await troupe.start(team, `Recorded run of ${team}`, { workflowId: `recorded-${team}` });
    await run.result();
    save(run.workflowId, `${run.workflowId}.json`);
  }
  if (runs.includes('launch-plan'))
    save('recorded-launch-plan/research-brief-0.1', 'recorded-launch-plan.child-research-brief.json');

  if (wanted('approval')) {
    const approval = await troupe.start('approve-in-week', 'Recorded approval', { workflowId: 'recorded-approval' });
    await awaitingPublish(approval);
    await approval.decide({ by: 'ana', decision: 'request-changes', comment: 'shorter' });
    await awaitingPublish(approval);
    await approval.signalDecision({ by: 'ana', decision: 'approve' });
    await approval.result();
    save(approval.workflowId, `${approval.workflowId}.json`);
  }

  if (wanted('tool-approval')) {
    const tools = await troupe.start('tool-team', 'Recorded tool approval', { workflowId: 'recorded-tool-approval' });
    while ((await tools.progress())?.awaiting?.gate !== 'tool-publish') await new Promise((r) => setTimeout(r, 100));
    await tools.decide({ by: 'ana', decision: 'reject', comment: 'not yet' });
    await tools.result();
    save(tools.workflowId, `${tools.workflowId}.json`);
  }

  if (wanted('refused-decisions')) {
    const refused = await troupe.start('approve-in-week', 'Recorded refused decisions', {
      workflowId: 'recorded-refused-decisions',
    });
    await awaitingPublish(refused);
    await refused.decide({ by: 'mallory', decision: 'approve' }).catch(() => undefined);
    await refused.signalDecision({ by: 'eve', decision: 'reject' });
    await refused.signalDecision({ by: 'ana', decision: 'approve' });
    await refused.result();
    save(refused.workflowId, `${refused.workflowId}.json`);
  }

  // Budgets, optional steps and signed decisions (issue 12).
  const recorded = [
    ['budget-parallel', 'fan-on-budget'],
    ['degraded', 'optional-critic'],
    ['degraded-debate', 'optional-debater'],
    ['exact-tokens', 'fan-on-tokens'],
    ['loop-under-budget', 'loop-under-budget'],
    ['failed-subteam', 'lead-of-failing'],
    ['time-cap', 'slow-call'],
    // Recorded on the code before TIME_CAP_CUT_CALLS_PATCH (an uncut call timing out near the cap ended the run at
    // maxTime): it shows such runs replay as they ran. Recorded on the current code it would show the new reading.
    ['time-cap-uncut', 'own-timeout-near-cap'],
  ] as const;
  for (const [name, team] of recorded) {
    if (!wanted(name)) continue;
    const run = await troupe.start(team, `Recorded ${name}`, { workflowId: `recorded-${name}` });
    await run.result();
    save(run.workflowId, `${run.workflowId}.json`);
  }
  if (wanted('failed-subteam'))
    save('recorded-failed-subteam/failing-leaf-0.1', 'recorded-failed-subteam.child-failing-leaf.json');
  if (wanted('budget-ask')) {
    const asking = await troupe.start('asking-team', 'Recorded budget raise', { workflowId: 'recorded-budget-ask' });
    while ((await asking.progress())?.awaiting?.gate !== 'budget') await new Promise((r) => setTimeout(r, 100));
    await asking.raiseBudget('bob', { calls: 4 }).catch(() => undefined);
    await asking.raiseBudget('ana', { calls: 4 });
    await asking.result();
    save(asking.workflowId, `${asking.workflowId}.json`);
  }
  if (wanted('gates-in-turn')) {
    // The budget runs out while the publisher's tool call waits for approval: the two gates open in turn.
    const gates = await troupe.start('gate-beside-budget', 'Recorded gates in turn', {
      workflowId: 'recorded-gates-in-turn',
    });
    while ((await gates.progress())?.awaiting?.gate !== 'budget') await new Promise((r) => setTimeout(r, 100));
    while (!(await gates.progress())?.activity.includes('publish')) await new Promise((r) => setTimeout(r, 100));
    await gates.raiseBudget('ana', { calls: 4 });
    while ((await gates.progress())?.awaiting?.gate !== 'tool-publish') await new Promise((r) => setTimeout(r, 100));
    await gates.decide({ gate: 'tool-publish', by: 'ana', decision: 'approve' });
    await gates.result();
    save(gates.workflowId, `${gates.workflowId}.json`);
  }
  if (wanted('signed-decisions')) {
    const signed = await troupe.start('signed-gate', 'Recorded signed decisions', {
      workflowId: 'recorded-signed-decisions',
    });
    while ((await signed.progress())?.awaiting?.gate !== 'deploy') await new Promise((r) => setTimeout(r, 100));
    const approve = { gate: 'deploy', by: 'ci-bot', decision: 'approve' as const };
    await signed.signalDecision(signDecision('forged', signed.workflowId, approve));
    await signed.decide(approve).catch(() => undefined);
    await signed.signalDecision(signDecision('recorded-secret', signed.workflowId, approve));
    await signed.result();
    save(signed.workflowId, `${signed.workflowId}.json`);
  }
});
await env.teardown();

/** Saves a history as `temporal workflow show -o json` prints it: the format users export and `troupe replay` reads. */
function save(workflowId: string, file: string): void {
  const cli = resolveTemporalBinary('dev-server');
  if (cli.type !== 'existing-path') throw new Error('the Temporal CLI is needed to export histories: npx troupe setup');
  const json = execFileSync(
    cli.path,
    ['workflow', 'show', '--address', env.address, '--workflow-id', workflowId, '--output', 'json'],
    { encoding: 'utf8' },
  );
  writeFileSync(new URL(`../histories/${file}`, import.meta.url), json);
  console.log(
    `recorded ${workflowId} → test/histories/${file} (${(JSON.parse(json) as { events: unknown[] }).events.length} events)`,
  );
}

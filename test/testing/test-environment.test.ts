import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnvironment, type TroupeTestEnvironment } from '../../src/testing/index.js';
import { approvalTeams } from '../support/teams.js';

// The public testing kit, used as a user's own test would use it.
let t: TroupeTestEnvironment;
beforeAll(async () => {
  t = await startTestEnvironment({ teams: approvalTeams, script: { drafter: [{ text: 'the release note' }] } });
});
afterAll(async () => {
  await t?.close();
});

describe('startTestEnvironment', () => {
  it('drives a team through a three-day approval in moments of real time', async () => {
    const realStart = Date.now();
    const run = await t.start('approve-in-week', 'Write the release note.');
    const awaiting = await t.waitForApproval(run, 'publish');
    expect(awaiting.approvers).toEqual(['ana']);
    await t.sleep('3 days');
    await run.decide({ by: 'ana', decision: 'approve', comment: 'three days later' });
    const result = await run.result();
    const realMs = Date.now() - realStart;
    expect(result.output).toBe('the release note');
    const [task, , approval] = result.transcript;
    expect(approval).toMatchObject({ kind: 'approval', content: { by: 'ana', decision: 'approve' } });
    expect(Date.parse(approval!.at) - Date.parse(task!.at)).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(realMs).toBeLessThan(10_000);
    // The real SDK reached the double over HTTP.
    expect(t.double.scripted.callsTo('drafter')).toBe(1);
    console.log(`three-day approval: ${realMs} ms of wall time`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedText, startTestEnvironment, type FeedItem, type TroupeTestEnvironment } from 'troupe/testing';
import { offlineScript, teams } from '../teams.js';

// The team on Temporal's time-skipping server, with the real Anthropic SDK answered by the
// Messages API double from the offline script.
let t: TroupeTestEnvironment;
beforeAll(async () => {
  t = await startTestEnvironment({ teams, script: offlineScript });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('__NAME__', () => {
  it('researches, drafts, and revises once after the critic sends the draft back', async () => {
    const run = await t.start('__NAME__', 'Why do durable workflows matter for LLM agents?');
    const result = await run.result();
    expect(result.output).toContain('resume after a crash');
    expect(result.transcript.filter((e) => e.kind === 'verdict').map((e) => (e.content as { approved: boolean }).approved)).toEqual([false, true]);
    expect(t.double.scripted.callsTo('writer')).toBe(2);
  });

  it("streams each agent's words into the run's live feed as they are written", async () => {
    const run = await t.start('__NAME__', 'Why do durable workflows matter for LLM agents?');
    const items: FeedItem[] = [];
    for await (const item of t.stream(run)) items.push(item);
    expect(feedText(items, ['writer'])).toContain('resume after a crash');
    expect(items.some((item) => item.type === 'handoff' && item.from === 'researcher')).toBe(true);
    expect(items.at(-1)).toMatchObject({ type: 'run-finished', path: [], partial: false });
  });
});

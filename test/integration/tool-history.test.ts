import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunHandle } from '../../src/client/index.js';
import { startTestEnvironment, type TroupeTestEnvironment } from '../../src/testing/index.js';
import { registry } from '../support/teams.js';

// History stays small as tool loops grow: the conversation and large results travel by claim-check
// key, so each turn adds about the same number of bytes, however much the turns say.
const PAGE = 20_000;
const turns = (n: number) => [
  ...Array.from({ length: n - 1 }, () => ({ toolUse: [{ name: 'fetch_page', input: { size: PAGE } }] })),
  { json: { answer: 'read them all' } },
];

let t: TroupeTestEnvironment;
beforeAll(async () => {
  t = await startTestEnvironment({
    teams: registry,
    server: 'dev-server',
    script: {
      'tool-team/researcher': turns(10),
      'long-loop/researcher': turns(40),
      'short-loop/researcher': [
        { toolUse: [{ name: 'fetch_page', input: { size: 5_000_000 } }] },
        { json: { answer: 'read 5 MB' } },
      ],
    },
  });
});
afterAll(async () => {
  await t?.close();
});

async function historyBytes(run: RunHandle): Promise<number> {
  return temporal.api.history.v1.History.encode(await run.handle.fetchHistory()).finish().length;
}

describe('tool loop history size', () => {
  it('grows linearly with turns: a 40-turn loop of 20 KB results costs per turn what a 10-turn one does', async () => {
    const ten = await t.start('tool-team', 'Read ten pages.');
    const forty = await t.start('long-loop', 'Read forty pages.');
    expect((await ten.result()).output).toEqual({ answer: 'read them all' });
    expect((await forty.result()).output).toEqual({ answer: 'read them all' });
    const [bytes10, bytes40] = [await historyBytes(ten), await historyBytes(forty)];
    const perTurn10 = bytes10 / 10;
    const perTurn40 = bytes40 / 40;
    console.log(
      `history: 10 turns ${bytes10} bytes (${perTurn10.toFixed(0)}/turn), 40 turns ${bytes40} bytes (${perTurn40.toFixed(0)}/turn); tool results ${PAGE} bytes each`,
    );
    // Linear, not quadratic: the per-turn cost does not grow with the loop's length ...
    expect(perTurn40 / perTurn10).toBeLessThan(1.25);
    // ... and the 20 KB results themselves stay out of history (inline they would be 780 KB at least).
    expect(bytes40).toBeLessThan((39 * PAGE) / 4);
    // The model still saw every result: the 40th request carried all 39 of them.
    const last = t.double.scripted.requests.filter((r) => r.team === 'long-loop').at(-1);
    expect(JSON.stringify(last?.body.messages).length).toBeGreaterThan(39 * PAGE);
  });

  it('completes a run whose tool returns 5 MB, more than a Temporal payload may hold', async () => {
    const run = await t.start('short-loop', 'Read the big page.');
    expect((await run.result()).output).toEqual({ answer: 'read 5 MB' });
    const bytes = await historyBytes(run);
    console.log(`history of a run with a 5 MB tool result: ${bytes} bytes`);
    expect(bytes).toBeLessThan(100_000);
  });
});

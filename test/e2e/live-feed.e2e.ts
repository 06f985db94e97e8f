import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveFeedServer } from '../../examples/live-feed/server.js';
import { TroupeClient } from '../../src/client/index.js';
import type { FeedItem } from '../../src/protocol/feed-events.js';
import { defineAgent, defineTeam, TeamRegistry, type AgentConfig } from '../../src/team/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { createTroupeWorker } from '../../src/workers/index.js';
import { RESULTS, useUiStack } from './ui-stack.js';

// The live-feed example's page in a real browser (Debian's Chromium): an agent's words appear as it
// writes them, and a reload in the middle of the run picks up where the page was, through the
// example's own server (serveFeed) and a worker whose agents stream from the Messages API double.
const ui = useUiStack('live-feed');

const quick: Pick<AgentConfig, 'timeout' | 'heartbeatTimeout' | 'retry'> = {
  timeout: '10s',
  heartbeatTimeout: '5s',
  retry: { maximumAttempts: 3, initialInterval: 100, backoffCoefficient: 1, maximumInterval: 100 },
};
const agent = (name: string) => defineAgent({ name, role: name, system: `You are ${name}.`, output: 'text', ...quick });
const team = defineTeam({
  name: 'live-page',
  agents: [agent('writer'), agent('editor')],
  topology: { kind: 'pipeline', steps: [{ agent: 'writer' }, { agent: 'editor' }] },
});
const registry = new TeamRegistry([team]);

const ANSWER = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
const EDIT = 'Edited: forty words, each in its place, none twice.';

let double: MessagesApiDouble;
let worker: Worker;
let working: Promise<void>;
let server: Server;
let base: string;
let troupe: TroupeClient;

beforeAll(async () => {
  double = await startMessagesApiDouble({
    // The writer's first attempt breaks after a few words: the page must drop them when the call is retried.
    'live-page/writer': [
      { malformedBody: true, tokenDelayMs: 40 },
      { text: ANSWER, tokenDelayMs: 40 },
    ],
    'live-page/editor': [{ text: EDIT, tokenDelayMs: 40 }],
  });
  worker = await createTroupeWorker({
    connection: ui.target.nativeConnection,
    namespace: ui.target.namespace,
    taskQueue: 'live-page',
    teams: registry,
    anthropic: double.client(),
  });
  working = worker.run();
  troupe = new TroupeClient(ui.target.client, registry, { taskQueue: 'live-page' });
  server = createLiveFeedServer(troupe, 'live-page');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  worker?.shutdown();
  await working;
  await double?.close();
});

describe('the live-feed example page', () => {
  it('shows the text as it is written, and after a reload mid-run has it all, exactly once', async () => {
    const page = await ui.browser.newPage();
    const feedRequests: URL[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/feed')) feedRequests.push(new URL(request.url()));
    });
    await page.goto(base);
    await page.getByRole('button', { name: 'Start a run' }).click();
    await page.waitForURL(/\?run=/);
    const workflowId = new URL(page.url()).searchParams.get('run') ?? '';
    // What the page shows now, without waiting for it to exist.
    const textOf = async (path: string) =>
      (await page.locator(`section[data-path="${path}"] p.text`).allTextContents()).join('');
    const status = async () => (await page.locator('#status').textContent()) ?? '';

    // Watch the writer's paragraph: it grows, a few words at a time, while the run goes on.
    const seen: string[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && seen.length < 3;) {
      const text = await textOf('writer');
      if (text && ANSWER.startsWith(text) && text !== seen.at(-1)) seen.push(text);
      await page.waitForTimeout(40);
    }
    expect(seen.length).toBe(3);
    expect(seen.map((s) => s.length)).toEqual([...seen.map((s) => s.length)].sort((a, b) => a - b));
    expect(seen.at(-1)).not.toBe(ANSWER);
    expect(await status()).not.toContain('finished');

    // A reload in the middle of the run: the page shows what it had, and the feed resumes after it.
    await page.reload();
    await page.locator('#status', { hasText: 'finished' }).waitFor({ timeout: 30_000 });
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'live-feed-page.png'), fullPage: true });
    expect(await textOf('writer')).toBe(ANSWER);
    expect(await textOf('editor')).toBe(EDIT);
    expect(await page.locator('section[data-path="writer"] p.text').count()).toBe(1);

    // The page after the reload asked for the feed after the last item it had, not from the start.
    const resumedAt = Number(feedRequests.at(-1)?.searchParams.get('lastEventId'));
    expect(feedRequests.length).toBeGreaterThanOrEqual(2);
    expect(resumedAt).toBeGreaterThan(0);
    // And the feed did carry the dead attempt's words, which the page dropped.
    const items: FeedItem[] = [];
    for await (const item of troupe.stream(workflowId)) items.push(item);
    expect(items).toContainEqual(expect.objectContaining({ type: 'text', path: ['writer'], attempt: 1 }));
    expect(items).toContainEqual(expect.objectContaining({ type: 'call-retried', path: ['writer'], attempt: 2 }));
    // Every step shown once: one line per item that is not text.
    expect(await page.locator('.step').count()).toBe(items.filter((i) => i.type !== 'text').length);
    // The reload came while the writer was still writing.
    const writerDone = items.find((i) => i.type === 'call-finished' && i.path[0] === 'writer');
    expect(resumedAt).toBeLessThan(writerDone?.offset ?? 0);
    await page.close();
  });
});

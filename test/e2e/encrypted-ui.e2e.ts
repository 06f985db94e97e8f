import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineAnthropic } from '../../src/activities/index.js';
import { TroupeClient } from '../../src/client/index.js';
import { startEmbeddedServer, type TemporalTarget } from '../../src/hosting/index.js';
import { createTroupeWorker, loadTeamsModule } from '../../src/workers/index.js';

// With encryption on, the server holds only ciphertext, and the Temporal UI shows the run's input and
// result decrypted, through the codec server the embedded dev server starts for it.
process.env['TROUPE_PAYLOAD_KEY'] = `e2e:${randomBytes(32).toString('base64')}`;
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const TASK = 'Why do sealed payloads matter?';
let target: TemporalTarget;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
  target = await startEmbeddedServer({ port: 0, uiPort: 0, dbFile: join(mkdtempSync(join(tmpdir(), 'troupe-e2e-sealed-')), 'dev.db') });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await target?.close();
});

describe('the Temporal UI with payload encryption on', () => {
  it("shows a run's input and result decrypted through the codec server, while the server holds ciphertext", async () => {
    expect(target.codecUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const examples = await loadTeamsModule();
    const worker = await createTroupeWorker({
      connection: target.nativeConnection,
      namespace: target.namespace,
      taskQueue: 'e2e-sealed',
      teams: examples.registry,
      anthropic: createOfflineAnthropic(examples.offlineScript).anthropic,
    });
    const troupe = new TroupeClient(target.client, examples.registry, { taskQueue: 'e2e-sealed' });
    const run = await worker.runUntil(async () => {
      const started = await troupe.start('research-brief', TASK, { workflowId: `e2e-sealed-${Date.now()}` });
      await started.result();
      return started;
    });
    const output = String((await run.result()).output);
    const outputLine = output.split('\n').find((line) => line.trim().length > 20)!.trim();

    // The server's copy: ciphertext only.
    const stored = Buffer.from(proto.temporal.api.history.v1.History.encode(await run.handle.fetchHistory()).finish());
    expect(stored.includes(TASK)).toBe(false);
    expect(stored.includes(outputLine)).toBe(false);

    const { runId } = await run.handle.describe();
    const runUrl = `${target.uiUrl}/namespaces/${target.namespace}/workflows/${run.workflowId}/${runId}/history`;
    let decodeRequests = 0;
    const page = await browser.newPage({ viewport: { width: 1600, height: 2400 } });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === target.codecUrl && url.pathname.endsWith('/decode')) decodeRequests += 1;
    });
    await page.goto(runUrl, { waitUntil: 'domcontentloaded' });
    await page.getByText(TASK).first().waitFor({ timeout: 30_000 });
    await page.getByText(outputLine.slice(0, 40)).first().waitFor({ timeout: 30_000 });
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-decrypted.png'), fullPage: true });
    const text = await page.locator('body').innerText();
    expect(text).toContain(TASK);
    expect(text).toContain(outputLine.slice(0, 40));
    expect(decodeRequests).toBeGreaterThan(0);
    await page.close();

    // The same page without the codec server shows neither: the plaintext came through it.
    const blind = await browser.newPage({ viewport: { width: 1600, height: 2400 } });
    await blind.route(`${target.codecUrl}/**`, (route) => route.abort());
    await blind.goto(runUrl, { waitUntil: 'domcontentloaded' });
    await blind.getByText('Workflow Execution Completed').first().waitFor({ timeout: 30_000 });
    await blind.waitForTimeout(2_000);
    await blind.screenshot({ path: join(RESULTS, 'temporal-ui-encrypted.png'), fullPage: true });
    const blindText = await blind.locator('body').innerText();
    expect(blindText).not.toContain(TASK);
    expect(blindText).not.toContain(outputLine.slice(0, 40));
    await blind.close();
  });
});

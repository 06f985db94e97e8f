import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { createOfflineAnthropic } from '../../src/activities/index.js';
import { TroupeClient } from '../../src/client/index.js';
import { createTroupeWorker, loadTeamsModule } from '../../src/workers/index.js';
import { RESULTS, useUiStack } from './ui-stack.js';

// With encryption on, the server holds only ciphertext, and the Temporal UI shows the run's input and
// result decrypted, through the codec server the embedded dev server starts for it.
process.env['TROUPE_PAYLOAD_KEY'] = `e2e:${randomBytes(32).toString('base64')}`;
const TASK = 'Why do sealed payloads matter?';
const ui = useUiStack('e2e-sealed');

describe('the Temporal UI with payload encryption on', () => {
  it("shows a run's input and result decrypted through the codec server, while the server holds ciphertext", async () => {
    expect(ui.target.codecUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const examples = await loadTeamsModule();
    const worker = await createTroupeWorker({
      connection: ui.target.nativeConnection,
      namespace: ui.target.namespace,
      taskQueue: 'e2e-sealed',
      teams: examples.registry,
      anthropic: createOfflineAnthropic(examples.offlineScript).anthropic,
    });
    const troupe = new TroupeClient(ui.target.client, examples.registry, { taskQueue: 'e2e-sealed' });
    const run = await worker.runUntil(async () => {
      const started = await troupe.start('research-brief', TASK, { workflowId: `e2e-sealed-${Date.now()}` });
      await started.result();
      return started;
    });
    const output = String((await run.result()).output);
    const outputLine = output
      .split('\n')
      .find((line) => line.trim().length > 20)!
      .trim();

    // The server's copy: ciphertext only.
    const stored = Buffer.from(proto.temporal.api.history.v1.History.encode(await run.handle.fetchHistory()).finish());
    expect(stored.includes(TASK)).toBe(false);
    expect(stored.includes(outputLine)).toBe(false);

    const { runId } = await run.handle.describe();
    const runUrl = `${ui.target.uiUrl}/namespaces/${ui.target.namespace}/workflows/${run.workflowId}/${runId}/history`;
    let decodeRequests = 0;
    const page = await ui.browser.newPage({ viewport: { width: 1600, height: 2400 } });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === ui.target.codecUrl && url.pathname.endsWith('/decode')) decodeRequests += 1;
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
    const blind = await ui.browser.newPage({ viewport: { width: 1600, height: 2400 } });
    await blind.route(`${ui.target.codecUrl}/**`, (route) => route.abort());
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

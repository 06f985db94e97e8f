import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createOfflineAnthropic } from '../../src/activities/index.js';
import { TroupeClient, type RunHandle } from '../../src/client/index.js';
import { createTroupeWorker, loadTeamsModule } from '../../src/workers/index.js';
import { ensureSearchAttributes } from '../../src/hosting/index.js';
import { RESULTS, useUiStack } from './ui-stack.js';

// The Temporal UI shows a run legibly, checked in a real browser: Debian's Chromium, driven by
// playwright-core. A screenshot is kept in test-results/ as the artifact a person can look at.
const ui = useUiStack('e2e');

describe('the Temporal UI', () => {
  it('shows each agent call of a run by agent name and summary, and the run by its team', async () => {
    const run = await runExample('research-brief', 'Why durable agents?', 'e2e');

    const page = await ui.browser.newPage({ viewport: { width: 1920, height: 2400 } });
    const { runId } = await run.handle.describe();
    const runUrl = `${ui.target.uiUrl}/namespaces/${ui.target.namespace}/workflows/${run.workflowId}/${runId}`;
    mkdirSync(RESULTS, { recursive: true });

    // The compact event history: one row per agent call, with its summary.
    await page.goto(`${runUrl}/history`, { waitUntil: 'domcontentloaded' });
    await page.getByText('Compact', { exact: true }).click();
    await page
      .getByText('researcher (researcher, claude-sonnet-5-5): task: Why durable agents?')
      .first()
      .waitFor({ timeout: 30_000 });
    const history = await page.locator('body').innerText();
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-run-history.png'), fullPage: true });
    expect(history).toContain('pipeline');
    for (const summary of [
      'researcher (researcher, claude-sonnet-5-5): task: Why durable agents?',
      "writer (writer, claude-sonnet-5-5): work on researcher's output",
      "critic (critic, claude-haiku-5-5): review writer's output",
      'writer (writer, claude-sonnet-5-5): revise after critic: Too vague',
    ]) {
      expect(history).toContain(summary);
    }

    // The run's own summary and its agents, under User Metadata.
    await page.goto(`${runUrl}/user-metadata`, { waitUntil: 'domcontentloaded' });
    // The summary renders before the details (markdown, rendered apart): wait for the critic's line in them.
    const metadata = await textWhen(page, 'critic, claude-haiku-5-5');
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-user-metadata.png'), fullPage: true });
    expect(metadata).toContain('research-brief (pipeline): Why durable agents?');
    expect(metadata).toMatch(/critic:?\s*critic, claude-haiku-5-5/);
    await page.close();
  });

  it('names each model turn and each tool call of an agent with tools: the agent, the tool and its input', async () => {
    const run = await runExample('field-research', 'What makes agent runs durable?', 'e2e-tools');
    const page = await ui.browser.newPage({ viewport: { width: 1920, height: 2400 } });
    const { runId } = await run.handle.describe();
    await page.goto(
      `${ui.target.uiUrl}/namespaces/${ui.target.namespace}/workflows/${run.workflowId}/${runId}/history`,
      { waitUntil: 'domcontentloaded' },
    );
    await page.getByText('Compact', { exact: true }).click();
    await page.getByText('researcher → read_note').first().waitFor({ timeout: 30_000 });
    const history = await page.locator('body').innerText();
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-tool-calls.png'), fullPage: true });
    expect(history).toContain(
      'researcher (researcher, claude-sonnet-5-5): turn 1: task: What makes agent runs durable?',
    );
    expect(history).toContain('researcher → search_notes({ "query": "retries crash paid" })');
    expect(history).toContain('researcher → read_note({ "id": "retries" })');
    expect(history).toContain('researcher → read_note({ "id": "costs" })');
    expect(history).toContain('researcher (researcher, claude-sonnet-5-5): turn 3');
    await page.close();
  });

  it('lists runs by Troupe search attribute', async () => {
    const page = await ui.browser.newPage({ viewport: { width: 1600, height: 1200 } });
    const query = encodeURIComponent("TroupeTeam = 'research-brief'");
    await page.goto(`${ui.target.uiUrl}/namespaces/${ui.target.namespace}/workflows?query=${query}`, {
      waitUntil: 'domcontentloaded',
    });
    await page
      .getByText(/e2e-\d+/)
      .first()
      .waitFor({ timeout: 30_000 });
    const text = await page.locator('body').innerText();
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-filtered-list.png') });
    expect(text).toMatch(/e2e-\d+/);
    expect(text).toContain('pipeline');
    await page.close();
  });
});

/** Runs an example team offline to its end, on a worker of its own, and returns its handle. */
async function runExample(team: string, task: string, prefix: string): Promise<RunHandle> {
  const examples = await loadTeamsModule();
  const worker = await createTroupeWorker({
    connection: ui.target.nativeConnection,
    namespace: ui.target.namespace,
    taskQueue: prefix,
    teams: examples.registry,
    anthropic: createOfflineAnthropic(examples.offlineScript).anthropic,
  });
  const troupe = new TroupeClient(ui.target.client, examples.registry, {
    taskQueue: prefix,
    searchAttributes: await ensureSearchAttributes(ui.target.client, ui.target.namespace),
  });
  return worker.runUntil(async () => {
    const started = await troupe.start(team, task, { workflowId: `${prefix}-${Date.now()}` });
    await started.result();
    return started;
  });
}

/** The page's text, frames included (the UI renders markdown summaries in a sandboxed iframe), once it contains `expected`. */
async function textWhen(page: Page, expected: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = await Promise.all(
      page.frames().map((frame) =>
        frame
          .locator('body')
          .innerText()
          .catch(() => ''),
      ),
    );
    const text = texts.join('\n');
    if (text.includes(expected) || Date.now() > deadline) return text;
    await page.waitForTimeout(250);
  }
}

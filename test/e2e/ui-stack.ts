import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedServer, type TemporalTarget } from '../../src/hosting/index.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** Screenshots land here: the artifacts a person can look at. */
export const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

/**
 * An embedded dev server with its Web UI, and Debian's Chromium (driven by playwright-core) to look
 * at it, for the file's tests. Read `target` and `browser` inside tests: they exist once started.
 */
export function useUiStack(name: string): { readonly target: TemporalTarget; readonly browser: Browser } {
  let target: TemporalTarget | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
    target = await startEmbeddedServer({
      port: 0,
      uiPort: 0,
      dbFile: join(mkdtempSync(join(tmpdir(), `troupe-${name}-`)), 'dev.db'),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // No network beyond this machine: keep Chromium from reaching out on its own.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await target?.close();
  });
  return {
    get target() {
      if (!target) throw new Error('the UI stack has not started');
      return target;
    },
    get browser() {
      if (!browser) throw new Error('the UI stack has not started');
      return browser;
    },
  };
}

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroupeClient, describeFailure } from '../../src/client/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/index.js';
import { createModelClient, createTroupeWorker, loadTeamsModule, type TeamsModule } from '../../src/workers/index.js';
import { payloadTexts } from '../support/payload-texts.js';
import { uniqueId, useTemporal } from '../support/temporal.js';

// Secrets never enter history: the worker's API key, the headers it sends and the environment's
// values stay out of every payload, in the recorded histories and in a run made with a canary key.
const HISTORIES = fileURLToPath(new URL('../histories/', import.meta.url));
const CANARY_KEY = 'sk-ant-canary-0c9f3e7a5b1d4e2f8a6c';
const REFUSED_KEY = 'sk-ant-refused-7e1a9c3b5d2f4a6e8c0b';
process.env['ANTHROPIC_API_KEY'] = CANARY_KEY;
process.env['TROUPE_CANARY_SECRET'] = 'canary-secret-4f2a91d7c3e8b650';

const HEADER_NAMES = /x-api-key|authorization|anthropic-version|\bbearer\b/i;
const KEY_SHAPE = /sk-ant-[A-Za-z0-9_-]{8,}/;

/** Values of this process's environment that would be a leak if a payload held them. */
function environmentValues(): string[] {
  return Object.entries(process.env)
    .filter(([, value]) => value !== undefined && value.length >= 12)
    .map(([, value]) => value!);
}

function leaksIn(texts: string[], secrets: string[]): string[] {
  const leaks: string[] = [];
  for (const text of texts) {
    const header = HEADER_NAMES.exec(text);
    if (header) leaks.push(`header ${header[0]}`);
    const key = KEY_SHAPE.exec(text);
    if (key) leaks.push(`key ${key[0]}`);
    for (const secret of secrets) if (text.includes(secret)) leaks.push(`value ${secret.slice(0, 12)}...`);
  }
  return leaks;
}

describe('secrets in recorded histories', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  it.each(files)('%s holds no key, header or environment value in any payload', (file) => {
    const history = JSON.parse(readFileSync(`${HISTORIES}${file}`, 'utf8')) as unknown;
    const texts = payloadTexts(history);
    expect(texts.length).toBeGreaterThan(3);
    expect(leaksIn(texts, environmentValues())).toEqual([]);
  });

  it('scans them all, and would find a planted key, header or environment value', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    const planted = (text: string) =>
      payloadTexts({
        events: [
          {
            input: {
              payloads: [
                {
                  metadata: { encoding: Buffer.from('json/plain').toString('base64') },
                  data: Buffer.from(text).toString('base64'),
                },
              ],
            },
          },
        ],
      });
    expect(leaksIn(planted('{"headers":{"X-Api-Key":"x"}}'), [])).toEqual(['header X-Api-Key']);
    expect(leaksIn(planted(`{"key":"${CANARY_KEY}"}`), [])).toEqual([`key ${CANARY_KEY}`]);
    expect(leaksIn(planted('{"v":"canary-secret-4f2a91d7c3e8b650"}'), environmentValues())).toEqual([
      'value canary-secre...',
    ]);
  });
});

describe('secrets in the history of a run made with a canary ANTHROPIC_API_KEY', () => {
  const temporal = useTemporal('time-skipping');
  let examples: TeamsModule;
  let double: MessagesApiDouble;
  beforeAll(async () => {
    examples = await loadTeamsModule();
    // The double refuses any other key, so a completed run proves the canary was sent.
    double = await startMessagesApiDouble(examples.offlineScript, { apiKey: CANARY_KEY });
  });
  afterAll(() => double?.close());

  async function run(
    team: string,
    task: string,
    env: NodeJS.ProcessEnv,
  ): Promise<{ texts: string[]; whole: string; ok: boolean; failureType: string | undefined }> {
    const taskQueue = uniqueId('secrets');
    const model = createModelClient(examples.offlineScript, { ...env, ANTHROPIC_BASE_URL: double.url });
    const worker = await createTroupeWorker({
      connection: temporal.env.nativeConnection,
      taskQueue,
      teams: examples.registry,
      anthropic: model.anthropic,
      workflowBundle: temporal.bundle,
    });
    const troupe = new TroupeClient(temporal.env.client, examples.registry, { taskQueue });
    return worker.runUntil(async () => {
      const handle = await troupe.start(team, task, { workflowId: uniqueId(team) });
      const outcome = await handle.result().then(
        () => ({ ok: true, failureType: undefined }),
        (error: unknown) => ({ ok: false, failureType: describeFailure(error).type }),
      );
      const history = await handle.handle.fetchHistory();
      // Failure messages and stack traces are not payloads: `whole` covers them too.
      return { ...outcome, texts: payloadTexts(history), whole: JSON.stringify(history) };
    });
  }

  it('a run of agents with tools: the key reached the API, and no payload holds it, a header or an environment value', async () => {
    const requestsBefore = double.scripted.requests.length;
    const { texts, whole, ok } = await run('field-research', 'What makes agent runs durable?', process.env);
    expect(ok).toBe(true);
    expect(double.scripted.requests.length).toBeGreaterThan(requestsBefore);
    expect(texts.length).toBeGreaterThan(10);
    expect(texts.join('\n')).toContain('What makes agent runs durable?');
    expect(leaksIn(texts, [CANARY_KEY, ...environmentValues()])).toEqual([]);
    expect(whole).not.toContain(CANARY_KEY);
  });

  it('a run whose key the API refuses: the failure in history names no key or header', async () => {
    const { texts, whole, ok, failureType } = await run('research-brief', 'Why durable agents?', {
      ...process.env,
      ANTHROPIC_API_KEY: REFUSED_KEY,
    });
    expect(ok).toBe(false);
    expect(failureType).toBe('ModelAuthentication');
    expect(leaksIn(texts, [REFUSED_KEY, CANARY_KEY, ...environmentValues()])).toEqual([]);
    expect(whole).toContain('authentication');
    for (const secret of [REFUSED_KEY, CANARY_KEY, 'x-api-key', 'Bearer']) expect(whole).not.toContain(secret);
  });
});

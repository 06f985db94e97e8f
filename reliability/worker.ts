/**
 * A worker process of the reliability harness: createTroupeWorker with the harness's teams, the
 * Anthropic SDK pointed at the double (ANTHROPIC_BASE_URL), the journal and payloads under
 * TROUPE_HOME (shared by the harness's workers, as by workers on one machine), and the workflows
 * the harness bundled once (RELIABILITY_BUNDLE), so a restart after each kill takes a second, not a
 * bundling. Limits from RELIABILITY_LIMITS (JSON WorkerLimits). It prints "journal reuse" each time a
 * retried call reuses a journaled answer, "journaled <key>" each time it keeps one, and its settled
 * memory when told "settle" on stdin. It runs until killed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { NativeConnection } from '@temporalio/worker';
import { TeamRegistry } from '../src/team/index.js';
import {
  createFileAnswerJournal,
  createTroupeWorker,
  installRuntime,
  payloadDataConverter,
  type AnswerJournal,
} from '../src/workers/index.js';
import { WORKER_HEADER } from './paid-calls-double.js';
import { teams } from './teams.js';

const env = process.env;
installRuntime({ TROUPE_LOG_LEVEL: 'ERROR' });
// The default journal (encrypted with TROUPE_PAYLOAD_KEY), telling the harness each time it keeps an
// answer and each time it saves a call from being paid again.
const journal = createFileAnswerJournal(join(env['TROUPE_HOME'] ?? '.troupe', 'journal'), {
  codecs: payloadDataConverter().payloadCodecs,
});
const answers: AnswerJournal = {
  ...journal,
  async get(key) {
    const answer = await journal.get(key);
    if (answer) console.log('journal reuse');
    return answer;
  },
  async put(key, answer) {
    await journal.put(key, answer);
    console.log(`journaled ${key}`);
  },
};
const connection = await NativeConnection.connect({ address: env['TEMPORAL_ADDRESS'] ?? 'localhost:7233' });
const worker = await createTroupeWorker({
  connection,
  taskQueue: env['RELIABILITY_TASK_QUEUE'] ?? 'reliability',
  teams: new TeamRegistry(teams),
  // As the worker configures it, plus this process's id, so the double knows which worker it answered.
  anthropic: new Anthropic({
    apiKey: env['ANTHROPIC_API_KEY'] ?? null,
    baseURL: env['ANTHROPIC_BASE_URL'] ?? null,
    maxRetries: 0,
    defaultHeaders: { [WORKER_HEADER]: String(process.pid) },
  }),
  workflowBundle: { code: readFileSync(env['RELIABILITY_BUNDLE'] ?? '', 'utf8') },
  answers,
  limits: JSON.parse(env['RELIABILITY_LIMITS'] ?? '{}') as object,
});
// Between load waves the harness asks for a settled reading: a full garbage collection (the harness
// starts workers with --expose-gc), then this process's resident memory and JS heap in use.
process.stdin.setEncoding('utf8').on('data', (text: string) => {
  if (!text.includes('settle')) return;
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  console.log(`settled ${JSON.stringify({ rssBytes: rss, heapUsedBytes: heapUsed })}`);
});
console.log('worker ready');
await worker.run();

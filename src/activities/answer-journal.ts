import type Anthropic from '@anthropic-ai/sdk';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Info } from '@temporalio/activity';

/**
 * A journal of paid model answers, kept by the workers. Temporal records an activity's result only
 * when the worker reports it; an answer that arrives just before the worker dies, or while the
 * Temporal server is down, is lost and the call would be made (and paid) again. The answer is
 * written here the moment it arrives, so a retried attempt of the same call reuses it instead.
 *
 * Keys name the run, the activity and a hash of the request (see `answerKey`); they are opaque
 * strings, so any key-value store will do. Workers on several machines need a shared store.
 */
export interface AnswerJournal {
  /** The answer journaled under `key`, or undefined (none, or an entry that cannot be read). */
  get(key: string): Promise<Anthropic.Message | undefined>;
  /** Keeps `answer` under `key`; resolves once it is durable. */
  put(key: string, answer: Anthropic.Message): Promise<void>;
  /** Drops entries written before `before` (calls long finished); returns how many. Optional. */
  prune?(before: Date): Promise<number>;
}

/** How long the file journal keeps answers by default: far longer than any attempt is retried. */
export const ANSWER_JOURNAL_MAX_AGE_MS = 7 * 24 * 3_600_000;

/**
 * The key of one model call: the run, the activity (stable across its attempts) and a hash of
 * the request, so a different request from the same activity never gets another's answer.
 */
export function answerKey(info: Pick<Info, 'workflowExecution' | 'activityId'>, request: unknown): string {
  const run = info.workflowExecution ? `${info.workflowExecution.workflowId}/${info.workflowExecution.runId}` : 'no-workflow';
  const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  return `${run}/${info.activityId}/${hash}`;
}

interface Entry {
  key: string;
  answer: Anthropic.Message;
}

/**
 * The default journal: one JSON file per answer under `dir` (workers on one machine, or a shared
 * volume), written to a temporary file and renamed, so an entry is either whole or absent, and
 * flushed to disk before the activity returns. An entry that cannot be read is treated as absent:
 * the call is made again.
 */
export function createFileAnswerJournal(dir: string): AnswerJournal {
  // File names are a hash of the key: workflow ids may be long or hold any character.
  const path = (key: string) => join(dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  let dirMade = false;
  return {
    async get(key) {
      let text: string;
      try {
        text = await readFile(path(key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      try {
        const entry = JSON.parse(text) as Partial<Entry>;
        return entry.key === key && Array.isArray(entry.answer?.content) ? entry.answer : undefined;
      } catch {
        return undefined;
      }
    },
    async put(key, answer) {
      const file = path(key);
      const temporary = `${file}.${randomUUID()}.tmp`;
      // Written and renamed synchronously, with no turn of the event loop in between: the entry is
      // whole for the next attempt as soon as possible after the answer arrives (a killed process
      // loses nothing it wrote). The flush then keeps it across a power loss; a torn entry reads as
      // absent and the call is made again.
      if (!dirMade) {
        mkdirSync(dir, { recursive: true });
        dirMade = true;
      }
      writeFileSync(temporary, JSON.stringify({ key, answer } satisfies Entry));
      renameSync(temporary, file);
      const handle = await open(file, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async prune(before) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw error;
      }
      let pruned = 0;
      for (const name of names) {
        const file = join(dir, name);
        const written = await stat(file).then((s) => s.mtimeMs, () => undefined);
        if (written === undefined || written >= before.getTime()) continue;
        await rm(file, { force: true });
        pruned += 1;
      }
      return pruned;
    },
  };
}

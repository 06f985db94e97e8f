import type Anthropic from '@anthropic-ai/sdk';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Info } from '@temporalio/activity';
import type { PayloadCodec } from '@temporalio/common';
import { fileFormat, readStoredFile } from './file-format.js';

/**
 * A journal of paid model answers (and of MCP tools' results), kept by the workers. Temporal records an activity's result only
 * when the worker reports it; an answer that arrives just before the worker dies, or while the
 * Temporal server is down, is lost and the call would be made (and paid) again. The answer is
 * written here the moment it arrives, so a retried attempt of the same call reuses it instead.
 *
 * Keys name the run, the activity and a hash of the request (see `answerKey`); they are opaque
 * strings, so any key-value store will do. Workers on several machines need a shared store.
 */
export interface AnswerJournal<Answer = Anthropic.Message> {
  /** The answer journaled under `key`, or undefined (none, or an entry that cannot be read). */
  get(key: string): Promise<Answer | undefined>;
  /** Keeps `answer` under `key`; resolves once it is durable. */
  put(key: string, answer: Answer): Promise<void>;
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
  const run = info.workflowExecution
    ? `${info.workflowExecution.workflowId}/${info.workflowExecution.runId}`
    : 'no-workflow';
  const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  return `${run}/${info.activityId}/${hash}`;
}

interface Entry {
  key: string;
  answer: Anthropic.Message;
}

/**
 * The default journal: one file per answer under `dir` (workers on one machine, or a shared
 * volume), written to a temporary file and renamed before the activity returns, so an entry is
 * either whole or absent. Given the worker's payload codecs, entries are encrypted with them (see
 * fileFormat); without, they are JSON. It guards against the worker dying, which the operating
 * system's file cache survives, so it is not flushed to disk: a flush per call cost more CPU than the rest of the
 * journal, and a machine that loses power loses its worker too (its calls are retried elsewhere).
 * An entry that cannot be read is treated as absent: the call is made again.
 */
export function createFileAnswerJournal(
  dir: string,
  options: { codecs?: readonly PayloadCodec[] | undefined } = {},
): AnswerJournal {
  const format = fileFormat(options.codecs);
  // File names are a hash of the key: workflow ids may be long or hold any character.
  const base = (key: string) => join(dir, createHash('sha256').update(key).digest('hex'));
  let dirMade = false;
  // Synchronous file calls: each is one small system call or two (usually a missing file), cheaper
  // than a trip through the thread pool, and an answer is kept with no turn of the event loop.
  const read = async (key: string): Promise<Anthropic.Message | undefined> => {
    const file = readStoredFile(base(key), format);
    if (!file) return undefined;
    try {
      const entry = (await format.read(file.bytes, file.extension)) as Partial<Entry> | null;
      return entry?.key === key && Array.isArray(entry.answer?.content) ? entry.answer : undefined;
    } catch {
      // Cut off, altered, or sealed with a key this worker does not hold.
      return undefined;
    }
  };
  const write = async (key: string, answer: Anthropic.Message): Promise<void> => {
    const data = await format.write({ key, answer } satisfies Entry);
    const file = `${base(key)}${format.extension}`;
    const temporary = `${file}.${randomUUID()}.tmp`;
    if (!dirMade) {
      mkdirSync(dir, { recursive: true });
      dirMade = true;
    }
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  };
  return {
    get: read,
    put: write,
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
        const written = await stat(file).then(
          (s) => s.mtimeMs,
          () => undefined,
        );
        if (written === undefined || written >= before.getTime()) continue;
        await rm(file, { force: true });
        pruned += 1;
      }
      return pruned;
    },
  };
}

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, type PayloadCodec } from '@temporalio/common';
import { FailureType } from '../team/index.js';
import { fileFormat, readStoredFile } from './file-format.js';

/**
 * A claim-check store: large or repeated content (a tool loop's conversation, big tool results)
 * is kept here and only its key travels through Temporal's history, so history grows with the
 * number of turns, not with what they say. Workers on several machines need a shared store.
 */
export interface PayloadStore {
  put(key: string, value: unknown): Promise<void>;
  get(key: string): Promise<unknown>;
}

/**
 * The default store: files under `dir` (workers on one machine, or a shared volume). Given the
 * worker's payload codecs, values are encrypted with them (see fileFormat); without, they are JSON.
 */
export function createFilePayloadStore(
  dir: string,
  options: { codecs?: readonly PayloadCodec[] | undefined } = {},
): PayloadStore {
  const format = fileFormat(options.codecs);
  const base = (key: string) => join(dir, key.split('/').map(encodeURIComponent).join('/'));
  return {
    async put(key, value) {
      const file = `${base(key)}${format.extension}`;
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await format.write(value));
    },
    async get(key) {
      const file = readStoredFile(base(key), format);
      if (!file) {
        // Another worker stored it where this one cannot see: no retry of this worker will find it.
        throw ApplicationFailure.nonRetryable(
          `"${key}" is not in this worker's payload store (${dir}). Workers that share runs need one store: the same TROUPE_HOME (e.g. a shared volume), or a shared PayloadStore passed to createTroupeWorker.`,
          FailureType.PayloadMissing,
        );
      }
      try {
        return await format.read(file.bytes, file.extension);
      } catch (error) {
        // No retry reads it better: the run cannot go on from this content.
        throw ApplicationFailure.create({
          message: `"${key}" in this worker's payload store (${dir}) cannot be read: ${(error as Error).message}`,
          type: FailureType.PayloadMissing,
          nonRetryable: true,
        });
      }
    },
  };
}

/**
 * The key of what the current activity stores: its run and activity id, so a retried attempt
 * writes the same key (and a run's content sits together).
 */
export function claimKey(kind: string): string {
  const info = Context.current().info;
  const run = info.workflowExecution
    ? `${info.workflowExecution.workflowId}/${info.workflowExecution.runId}`
    : 'no-workflow';
  return `${run}/${kind}-${info.activityId}`;
}

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

/**
 * Which dev server runs on a database, and which process started it (its owner). The wrapper
 * writes it beside the database when the server starts, so that a later start on the same data
 * can find a server whose owner is gone.
 */
export interface ServerRecord {
  pid: number;
  ownerPid: number;
  /** Where it listens (gRPC), added by its owner once it answers: how `troupe pending`, `status`, ... find it. */
  address?: string;
}

/** The embedded server's database: $TROUPE_HOME/dev.db, TROUPE_HOME defaulting to ./.troupe. */
export function defaultDbFile(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(`${env['TROUPE_HOME'] || '.troupe'}/dev.db`);
}

/** `.troupe/dev.db` → `.troupe/dev-server.json`. */
export function serverRecordPath(dbFile: string): string {
  return join(dirname(dbFile), `${basename(dbFile, extname(dbFile))}-server.json`);
}

export function readServerRecord(path: string): ServerRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as Partial<ServerRecord>;
    return Number.isSafeInteger(record.pid) && Number.isSafeInteger(record.ownerPid)
      ? (record as ServerRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the record in one step: a reader never sees half of it. */
export function writeServerRecord(path: string, record: ServerRecord): void {
  writeFileSync(`${path}.${process.pid}`, `${JSON.stringify(record)}\n`);
  renameSync(`${path}.${process.pid}`, path);
}

/** Removes the record if it still names this server (another start on the same data may have replaced it). */
export function forgetServer(path: string, pid: number): void {
  if (readServerRecord(path)?.pid === pid) rmSync(path, { force: true });
}

import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processInfo } from './process-info.js';
import { readServerRecord, serverRecordPath } from './server-record.js';

/**
 * A dev server can outlive its owner when the watchdog went down with it (the watchdog itself was
 * killed, an older Troupe, ...). It then holds the ports and the database, and the next start on
 * the same data would fail. This stops such a server: one recorded for `dbFile` that is still a
 * Temporal dev server on that file and is no longer the child of the process that started it.
 * Returns its pid, or undefined when there was none.
 */
export async function stopStaleServer(dbFile: string): Promise<number | undefined> {
  const path = serverRecordPath(dbFile);
  const record = readServerRecord(path);
  if (!record) return undefined;
  const server = processInfo(record.pid);
  if (!server || !isDevServerFor(server.command, dbFile)) {
    // Gone, or the pid now belongs to something else: the record is stale, the process none of ours.
    rmSync(path, { force: true });
    return undefined;
  }
  // Still its owner's child: another Troupe process is using it, leave it alone. (A process whose
  // owner has died is re-parented, so this also holds when the owner's pid has been reused.)
  if (server.ppid === record.ownerPid) return undefined;
  await stop(record.pid);
  rmSync(path, { force: true });
  return record.pid;
}

/** Whether a command line is the Temporal dev server on this database. */
export function isDevServerFor(command: string, dbFile: string): boolean {
  return command.includes(' server start-dev ') && `${command} `.includes(` --db-filename ${dbFile} `);
}

/** SIGTERM lets the server close its database; SIGKILL if it has not stopped within a few seconds. */
async function stop(pid: number): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGTERM', 5_000],
    ['SIGKILL', 2_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // already gone
    }
    for (const deadline = Date.now() + waitMs; Date.now() < deadline; await sleep(100)) {
      if (!processInfo(pid)) return;
    }
  }
}

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/**
 * The shell script the SDK runs as the dev server "executable", so that the server cannot outlive
 * the process that started it (after `kill -9` of `troupe dev` it would keep the ports and the
 * database, and the next start would fail). The script:
 *  - records the server's pid and its owner (the script's parent) beside the database, so a later
 *    start can still find the server should the watchdog die too (see stale-server.ts);
 *  - leaves a watchdog behind that stops the server (SIGTERM, then SIGKILL) once the owner is gone;
 *  - then execs the server, which thereby keeps the script's pid: the SDK's own teardown (a SIGKILL
 *    to the process it spawned) and any signal sent to that pid reach the server itself;
 *  - sends the server's output to a log file beside the database (serverLogPath), not to the terminal:
 *    its banner and the errors it logs while it starts ("Frontend is not healthy yet") are noise there,
 *    and must not mix with Troupe's results (`run --json`). Troupe shows the log's end if a start fails.
 * The watchdog is detached twice, so init (not the server) reaps it, and holds none of the SDK's
 * output pipes, so the teardown does not wait for it. It ignores SIGINT and SIGHUP, which a
 * terminal sends to the whole process group, so that it outlives the owner it watches.
 * Returns the script's path; it is rewritten only when it changes, since a shell reads its script
 * as it runs and another start on the same data may be running it.
 */
export function writeServerWrapper(binary: string, dbFile: string, recordPath: string): string {
  const path = join(dirname(dbFile), `${basename(dbFile, extname(dbFile))}-server.sh`);
  const log = serverLogPath(dbFile);
  const script = `#!/bin/sh
# Written by Troupe (src/workers/server-watchdog.ts): the Temporal dev server, stopped when its owner is gone.
owner=$PPID
server=$$
printf '{"pid":%s,"ownerPid":%s}\\n' "$server" "$owner" > ${quote(`${recordPath}.tmp`)}.$$ && mv -f ${quote(`${recordPath}.tmp`)}.$$ ${quote(recordPath)}
( (
  trap '' HUP INT
  while kill -0 "$server" 2>/dev/null; do
    if ! kill -0 "$owner" 2>/dev/null; then
      kill -TERM "$server" 2>/dev/null
      n=0
      while kill -0 "$server" 2>/dev/null && [ "$n" -lt 10 ]; do sleep 0.5; n=$((n + 1)); done
      kill -0 "$server" 2>/dev/null && kill -KILL "$server"
      exit 0
    fi
    sleep 0.5
  done
) </dev/null >/dev/null 2>&1 & )
exec ${quote(binary)} "$@" >>${quote(log)} 2>&1
`;
  if (readOrEmpty(path) !== script) {
    writeFileSync(`${path}.${process.pid}`, script, { mode: 0o755 });
    renameSync(`${path}.${process.pid}`, path);
  }
  return path;
}

/** `.troupe/dev.db` → `.troupe/dev-server.log`: what the dev server printed, appended at each start. */
export function serverLogPath(dbFile: string): string {
  return join(dirname(dbFile), `${basename(dbFile, extname(dbFile))}-server.log`);
}

/** Single-quoted for sh: nothing inside is expanded. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { ServerExecutable, TemporalBinary } from '../../src/hosting/index.js';

/**
 * A test file's Temporal log: what its workers and the SDK's core logged (through the Runtime's logger)
 * and what its Temporal servers printed. It goes to a file, not the terminal, so a run's output shows
 * results; the failed-tests reporter prints the parts that belong to failed tests, and deletes the log
 * of a file whose tests all passed. setup.ts opens it; temporal.ts sends its servers' output to it.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOGS = join(ROOT, 'test-results', 'temporal-logs');
/** The environment variable naming the log of the test file this process runs. */
const LOG_VAR = 'TROUPE_TEST_TEMPORAL_LOG';
/** Starts each test's part of the log: `▶ [<vitest task id>] <test name>`. */
const TEST_MARK = /^▶ \[([^\]]+)\] /;

/** test/workflows/approvals.test.ts → test-results/temporal-logs/test/workflows/approvals.test.ts.log */
export function temporalLogPath(testFile: string): string {
  const name = relative(ROOT, testFile);
  return join(LOGS, `${name.startsWith('..') ? name.replaceAll(/[/\\]/g, '_') : name}.log`);
}

/** Starts a test file's log, empty but for its header, and makes it the log of this process. */
export function openTemporalLog(testFile: string): string {
  const path = temporalLogPath(testFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `Temporal log of ${relative(ROOT, testFile)} (pid ${process.pid}, ${new Date().toISOString()})\n`,
  );
  process.env[LOG_VAR] = path;
  return path;
}

/** The Runtime's logger for a test file: worker and core lines, INFO and above, appended to its log. */
export function temporalLogger(path: string): DefaultLogger {
  return new DefaultLogger('INFO', (entry) => appendFileSync(path, formatEntry(entry)));
}

/** Marks where a test's part of the log begins. */
export function markTest(path: string, id: string, name: string): void {
  appendFileSync(path, `▶ [${id}] ${name}\n`);
}

/**
 * The server binary, run by a shell script that appends its output to this process's log (banner,
 * warnings, whatever it prints) after a line naming it; the binary as found when no log is open
 * (outside vitest) or when it is a download the SDK fetches itself. The script execs the server, so
 * the SDK's teardown signals reach the server itself.
 */
export function loggedServer(
  binary: ServerExecutable,
  kind: TemporalBinary,
): { executable: ServerExecutable; logged: boolean } {
  const log = process.env[LOG_VAR];
  if (!log || binary.type !== 'existing-path' || process.platform === 'win32')
    return { executable: binary, logged: false };
  const script = `${log}.${kind}.sh`;
  const text = `#!/bin/sh
# Written by test/support/temporal-logs.ts: the ${kind} server, its output in the test file's log.
echo "── $(date -u +%H:%M:%S) ${kind} server (pid $$): ${binary.path} $*" >>${quote(log)}
exec ${quote(binary.path)} "$@" >>${quote(log)} 2>&1
`;
  writeFileSync(`${script}.tmp`, text, { mode: 0o755 });
  renameSync(`${script}.tmp`, script);
  return { executable: { type: 'existing-path', path: script }, logged: true };
}

/** A test file's log, split at its tests: what came before the first, then each test's part by its id. */
export interface TemporalLog {
  path: string;
  /** The lines before the first test: the servers' start, the bundle, `beforeAll` hooks. */
  before: string[];
  tests: Map<string, string[]>;
  /** Every line but the header and the test marks. */
  lines: string[];
}

export function readTemporalLog(testFile: string): TemporalLog | undefined {
  const path = temporalLogPath(testFile);
  if (!existsSync(path)) return undefined;
  const log: TemporalLog = { path: relative(process.cwd(), path), before: [], tests: new Map(), lines: [] };
  let part = log.before;
  for (const line of readFileSync(path, 'utf8').split('\n').slice(1)) {
    const mark = TEST_MARK.exec(line);
    if (mark) {
      part = [];
      log.tests.set(mark[1]!, part);
    } else if (line !== '') {
      part.push(line);
      log.lines.push(line);
    }
  }
  return log;
}

/** Deletes a test file's log and its server scripts. */
export function removeTemporalLog(testFile: string): void {
  const path = temporalLogPath(testFile);
  for (const file of [path, `${path}.dev-server.sh`, `${path}.time-skipping.sh`]) rmSync(file, { force: true });
}

/** One line per entry: time, level, source, message, then its fields; an error by its message and the line that threw it. */
function formatEntry({ level, message, meta, timestampNanos }: LogEntry): string {
  const time = new Date(Number(timestampNanos / 1_000_000n)).toISOString().slice(11, 23);
  const fields = Object.entries(meta ?? {}).filter(([key, value]) => value !== undefined && !UNREAD_FIELDS.has(key));
  const details = fields.map(([key, value]) => `${key}=${formatValue(value)}`).join(' ');
  return `${time} ${level} ${typeof meta?.['sdkComponent'] === 'string' ? meta['sdkComponent'] : '-'}: ${message}${details ? ` (${details})` : ''}\n`;
}

/** Fields no reader of a failed test looks at. */
const UNREAD_FIELDS = new Set(['sdkComponent', 'taskToken', 'spanContexts']);

function formatValue(value: unknown): string {
  if (value instanceof Error) return formatError(value);
  if (typeof value === 'string') return /[\s"]/.test(value) ? JSON.stringify(value) : value;
  return inspect(value, { colors: false, depth: 3, breakLength: Infinity });
}

function formatError(error: Error): string {
  const thrownAt = error.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at ') && !line.includes('node_modules'));
  const cause = error.cause instanceof Error ? ` <- ${formatError(error.cause)}` : '';
  return `[${error.name}: ${error.message}${thrownAt ? ` ${thrownAt.trim()}` : ''}]${cause}`;
}

/** Single-quoted for sh: nothing inside is expanded. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

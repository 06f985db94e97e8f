import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readSync, closeSync, statSync, truncateSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, resolve } from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { HostingError } from './errors.js';
import { binaryNotFound, resolveTemporalBinary, type ServerExecutable } from './binaries.js';
import { freePort, portInUse, portSetting } from './free-port.js';
import { TROUPE_SEARCH_ATTRIBUTES } from './search-attributes.js';
import {
  defaultDbFile,
  forgetServer,
  readServerRecord,
  serverRecordPath,
  writeServerRecord,
  type ServerRecord,
} from './server-record.js';
import { serverLogPath, writeServerWrapper } from './server-watchdog.js';
import { stopStaleServer } from './stale-server.js';
import type { TemporalTarget } from './temporal-target.js';
import { payloadDataConverter, startCodecServer, type CodecServer } from '../codec/index.js';

/** Options of {@link startEmbeddedServer}. */
export interface EmbeddedServerOptions {
  /** gRPC port; 0 picks a free one. Default TROUPE_DEV_PORT or 7233. */
  port?: number;
  /** Web UI port; 0 picks a free one. Default TROUPE_UI_PORT or 8233. */
  uiPort?: number;
  /** SQLite file that keeps runs across restarts. Default $TROUPE_HOME/dev.db (TROUPE_HOME defaults to ./.troupe). */
  dbFile?: string;
  /** The environment to read settings from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The embedded default: a real Temporal CLI dev server with its Web UI, persisted to a SQLite file
 * so `troupe dev` later shows the same runs. The server dies with the process that started it
 * (server-watchdog.ts), and one left running by a crash is stopped by the next start on the same
 * data (stale-server.ts).
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<TemporalTarget> {
  const env = options.env ?? process.env;
  const askedPort = options.port ?? portSetting(env, 'TROUPE_DEV_PORT') ?? 7233;
  const askedUiPort = options.uiPort ?? portSetting(env, 'TROUPE_UI_PORT') ?? 8233;
  const dbFile = options.dbFile ? resolve(options.dbFile) : defaultDbFile(env);
  mkdirSync(dirname(dbFile), { recursive: true });
  // Before the ports are checked: a stale server on this data holds them.
  const stale = await stopStaleServer(dbFile);
  if (stale !== undefined)
    process.stderr.write(
      `Stopped a Temporal dev server (pid ${stale}) that an earlier Troupe process left running on ${dbFile}.\n`,
    );
  const dataConverter = payloadDataConverter(env);
  const recordPath = serverRecordPath(dbFile);
  const executable = underWatchdog(resolveTemporalBinary('dev-server', env), dbFile, recordPath);
  // The server writes to this log, not the terminal (server-watchdog.ts): what this start adds follows `logStart`.
  const logPath = serverLogPath(dbFile);
  const logStart = startLog(logPath);
  // The SDK gives the server 5 s to answer; a loaded machine can take longer, so it gets a second try.
  let testEnv: TestWorkflowEnvironment | undefined;
  let uiPort = askedUiPort;
  let codec: CodecServer | undefined;
  for (let attempt = 1; !testEnv; attempt += 1) {
    const port = await choosePort(
      askedPort,
      'TROUPE_DEV_PORT',
      '--port',
      `If \`troupe dev\` is already running, use it: TEMPORAL_ADDRESS=localhost:${askedPort}. `,
    );
    uiPort = await choosePort(askedUiPort, 'TROUPE_UI_PORT', '--ui-port');
    codec = await uiCodecServer(dataConverter.payloadCodecs?.[0], uiPort);
    try {
      testEnv = await TestWorkflowEnvironment.createLocal({
        server: {
          executable,
          port,
          ui: true,
          uiPort,
          dbFilename: dbFile,
          log: { format: 'pretty', level: 'error' },
          searchAttributes: TROUPE_SEARCH_ATTRIBUTES,
          ...(codec ? { extraArgs: ['--ui-codec-endpoint', codec.uiEndpoint] } : {}),
        },
        client: { dataConverter },
      });
    } catch (error) {
      await codec?.close();
      forgetOwnServer(recordPath, readServerRecord(recordPath));
      if (executable.type === 'cached-download') throw binaryNotFound('dev-server', error);
      // The SDK says the same of a server that exited at once: the second try fails the same way, and says why.
      if (
        attempt < 2 &&
        /did not start within/.test((error as Error).message) &&
        (await portsFreed([askedPort, askedUiPort]))
      ) {
        process.stderr.write(
          `The Temporal dev server did not answer within 5 s (slow, or it exited); starting it again.\n`,
        );
        continue;
      }
      const output = logSince(logPath, logStart);
      throw new HostingError(
        'EMBEDDED_SERVER_FAILED',
        `The Temporal dev server at ${executable.path} failed to start: ${(error as Error).message}${output ? `\nIts output (${logPath}) ends with:\n${output}` : ''}`,
        { cause: error },
      );
    }
  }
  const started = readServerRecord(recordPath);
  // Commands that read runs (`troupe pending`, `status`, ...) find this server by its record when TROUPE_DEV_PORT does not name it.
  if (started?.ownerPid === process.pid) writeServerRecord(recordPath, { ...started, address: testEnv.address });
  return {
    kind: 'embedded',
    address: testEnv.address,
    namespace: testEnv.namespace ?? 'default',
    client: testEnv.client,
    nativeConnection: testEnv.nativeConnection,
    uiUrl: `http://localhost:${uiPort}`,
    codecUrl: codec?.url,
    close: async () => {
      await testEnv.teardown();
      await codec?.close();
      forgetOwnServer(recordPath, started);
    },
  };
}

/**
 * With encryption on, the UI decodes payloads through a codec server of this process, open to the
 * UI's origin only, with a fresh token in the endpoint the UI is given.
 */
async function uiCodecServer(codec: PayloadCodec | undefined, uiPort: number): Promise<CodecServer | undefined> {
  if (!codec) return undefined;
  // Always a fresh token: the UI's endpoint is a command-line argument, visible to every local user in `ps`.
  const token = randomBytes(24).toString('hex');
  return startCodecServer({ codec, token, origins: [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`] });
}

/** Runs the binary through the watchdog wrapper (a shell script, so not on Windows). */
function underWatchdog(executable: ServerExecutable, dbFile: string, recordPath: string): ServerExecutable {
  if (executable.type !== 'existing-path' || process.platform === 'win32') return executable;
  return { type: 'existing-path', path: writeServerWrapper(executable.path, dbFile, recordPath) };
}

/** Removes the record of the server this process started, once that server is down. */
function forgetOwnServer(recordPath: string, record: ServerRecord | undefined): void {
  if (record?.ownerPid === process.pid) forgetServer(recordPath, record.pid);
}

/** The log's size before this start; a log grown past 1 MB is emptied first (it keeps what the server printed, start after start). */
function startLog(path: string): number {
  try {
    const { size } = statSync(path);
    if (size <= 1_000_000) return size;
    truncateSync(path, 0);
  } catch {
    // No log yet.
  }
  return 0;
}

/** The last lines the server wrote to its log since `offset` (at most 4 KB), or '' when there are none. */
function logSince(path: string, offset: number): string {
  try {
    const fd = openSync(path, 'r');
    try {
      const end = statSync(path).size;
      const start = Math.max(offset, end - 4_096);
      const buffer = Buffer.alloc(Math.max(0, end - start));
      readSync(fd, buffer, 0, buffer.length, start);
      return buffer.toString('utf8').trim();
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** Whether fixed ports held by a server just killed are free again (within 5 s); 0 (any free port) always is. */
async function portsFreed(ports: number[]): Promise<boolean> {
  for (let waited = 0; waited < 5_000; waited += 100) {
    const busy = await Promise.all(ports.filter((port) => port !== 0).map(portInUse));
    if (!busy.includes(true)) return true;
    await sleep(100);
  }
  return false;
}

/** `hint` says how to use what already holds the port, if that may be Troupe's own server. */
async function choosePort(port: number, envVar: string, flag: string, hint = ''): Promise<number> {
  if (port === 0) return freePort();
  if (await portInUse(port)) {
    throw new HostingError(
      'PORT_IN_USE',
      `Port ${port} is already in use, so the embedded Temporal server cannot start there. ${hint}${hint ? 'Otherwise pick' : 'Pick'} another port with ${flag} or ${envVar} (0 picks a free one).`,
    );
  }
  return port;
}

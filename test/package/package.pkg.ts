import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// Troupe as a new user meets it: `npm pack`, installed from the tarball into a scratch project in a
// temporary folder, used as a library, `troupe init`, the scaffold's own tests and demo, and teams
// the user wrote, run through the installed CLI and worker.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'troupe-user-'));
let tarball = '';

/** The user's environment: no Temporal or Anthropic settings from ours, CI set so runs exit when done. */
const userEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|ANTHROPIC_|TROUPE_|npm_|VITEST)/.test(k)),
  ),
  CI: '1',
});

function sh(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...userEnv(), ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function ok(command: string, args: string[], cwd: string): string {
  const result = sh(command, args, cwd);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

beforeAll(() => {
  const packed = mkdtempSync(join(tmpdir(), 'troupe-pack-'));
  execFileSync('npm', ['pack', '--pack-destination', packed], { cwd: ROOT, stdio: 'ignore' });
  tarball = join(
    packed,
    readdirSync(packed).find((f) => f.endsWith('.tgz'))!,
  );
  ok('npm', ['init', '-y'], scratch);
  ok('npm', ['pkg', 'set', 'type=module'], scratch);
  ok('npm', ['install', '--no-audit', '--no-fund', tarball, 'tsx'], scratch);
});

describe('the packed package', () => {
  it('ships compiled ESM with types, a curated exports map and prebuilt workflows, no sources', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/dist/team/index.js');
    expect(listing).toContain('package/dist/team/index.d.ts');
    expect(listing).toContain('package/dist/workflows.bundle.js');
    // Workers that encrypt payloads load the bundle whose failures keep their messages encrypted.
    expect(listing).toContain('package/dist/workflows-encoded-failures.bundle.js');
    expect(listing).toContain('package/dist/codec/encoded-failures.cjs');
    expect(listing.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(scratch, 'node_modules/troupe/package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      peerDependencies: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './client', './worker', './testing']));
    expect(Object.keys(pkg.peerDependencies)).toEqual(
      expect.arrayContaining([
        '@temporalio/client',
        '@temporalio/worker',
        '@temporalio/workflow',
        '@anthropic-ai/sdk',
        'zod',
      ]),
    );
    expect(Object.keys(pkg.dependencies)).toEqual(['commander']);
  });

  it('is a library: the team language at the root, client, worker and testing kit as subpaths, one copy of each SDK', () => {
    writeFileSync(
      join(scratch, 'check.mjs'),
      `import * as troupe from 'troupe';
import * as client from 'troupe/client';
import * as worker from 'troupe/worker';
import * as testing from 'troupe/testing';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const copies = ['@anthropic-ai/sdk', 'zod', '@temporalio/worker'].map((name) => require.resolve(name));
console.log(JSON.stringify({
  root: ['defineAgent', 'defineTeam', 'VerdictSchema', 'TeamRegistry'].filter((n) => n in troupe),
  client: ['TroupeClient', 'readRunHistory'].filter((n) => n in client),
  worker: ['createTroupeWorker', 'createModelClient', 'loadTeamsModule'].filter((n) => n in worker),
  testing: ['startTestEnvironment', 'startMessagesApiDouble', 'replayHistoryFile'].filter((n) => n in testing),
  copies,
}));
`,
    );
    const found = JSON.parse(ok('node', ['check.mjs'], scratch)) as Record<string, string[]>;
    expect(found['root']).toEqual(['defineAgent', 'defineTeam', 'VerdictSchema', 'TeamRegistry']);
    expect(found['client']).toEqual(['TroupeClient', 'readRunHistory']);
    expect(found['worker']).toEqual(['createTroupeWorker', 'createModelClient', 'loadTeamsModule']);
    expect(found['testing']).toEqual(['startTestEnvironment', 'startMessagesApiDouble', 'replayHistoryFile']);
    // Peers resolve from the project's own node_modules, so troupe and the project share them.
    expect(
      found['copies']!.every(
        (path) => path.startsWith(join(scratch, 'node_modules')) && !path.includes('node_modules/troupe/node_modules'),
      ),
    ).toBe(true);
  });

  it('troupe init scaffolds and installs a project in one step; its npm test passes and its npm start runs the team', () => {
    const help = sh('npx', ['troupe', '--help'], scratch);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('init');
    // The README's one step, from a folder where Troupe is not installed: npx fetches it, init writes and installs.
    const home = mkdtempSync(join(tmpdir(), 'troupe-init-'));
    const init = sh(
      'npx',
      ['--yes', '--package', tarball, 'troupe', 'init', 'my-team', '--troupe', `file:${tarball}`],
      home,
    );
    expect(init.code, init.stdout + init.stderr).toBe(0);
    expect(init.stdout).toContain('Installing its dependencies (npm install in');
    expect(init.stdout).toContain('Ready. Next: cd my-team && npm start');
    const project = join(home, 'my-team');
    expect(readdirSync(project).sort()).toEqual([
      '.gitignore',
      'README.md',
      'node_modules',
      'package-lock.json',
      'package.json',
      'teams.ts',
      'test',
      'tsconfig.json',
      'worker.ts',
    ]);
    expect(readdirSync(join(project, 'node_modules'))).toEqual(
      expect.arrayContaining(['troupe', 'tsx', 'vitest', 'zod']),
    );
    const again = sh('npx', ['troupe', 'init', project], scratch);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is not empty');

    // No `npm install` here: init did it.
    const test = sh('npm', ['test'], project);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/Tests\s+.*2 passed/);
    const start = sh('npm', ['start'], project);
    expect(start.code, start.stdout + start.stderr).toBe(0);
    expect(start.stdout + start.stderr).toContain('OFFLINE');
    expect(start.stdout).toContain('critic → user  approved');
    expect(start.stdout).toContain('Result:');
    // The dev server's own output (its banner, errors it logs while it starts) goes to its log, not the terminal.
    expect(start.stdout + start.stderr).not.toMatch(/level=|Temporal Server:/);
  });

  it("runs every topology from the user's own teams, through the installed worker and CLI, in .ts and .js", () => {
    // The repository's examples, one team per topology, as a user would write them against the package.
    const examples = join(scratch, 'teams');
    mkdirSync(examples);
    cpSync(join(ROOT, 'examples'), examples, { recursive: true });
    for (const file of readdirSync(examples).filter((f) => f.endsWith('.ts'))) {
      const path = join(examples, file);
      const text = readFileSync(path, 'utf8')
        .replaceAll("from '../src/team/index.js'", "from 'troupe'")
        .replaceAll("from '../src/activities/index.js'", "from 'troupe/testing'");
      expect(text).not.toContain('../src/');
      writeFileSync(path, text);
    }
    writeFileSync(
      join(scratch, 'every-topology.ts'),
      `import { startTestEnvironment } from 'troupe/testing';
import { offlineScript, teams } from './teams/index.ts';
// INFO logs would include the SDK's "Workflow bundle created" if the worker bundled at start.
const t = await startTestEnvironment({ teams, script: offlineScript, server: 'dev-server', logLevel: 'INFO' });
try {
  const done = await Promise.all(teams.map(async (team) => {
    const result = await (await t.start(team.name, 'Recorded run of ' + team.name)).result();
    return 'TOPOLOGY ' + team.name + ':' + team.spec.topology.kind + ':' + (result.partial ? 'partial' : 'complete');
  }));
  console.log(done.join('\\n'));
} finally {
  await t.close();
}
`,
    );
    const everyTopology = sh('npx', ['tsx', 'every-topology.ts'], scratch);
    expect(everyTopology.code, everyTopology.stderr).toBe(0);
    // The worker loaded the prebuilt workflows: nothing was bundled at start.
    expect(everyTopology.stdout + everyTopology.stderr).not.toContain('Workflow bundle created');
    expect(everyTopology.stdout + everyTopology.stderr).toContain('Worker state changed');
    const topologies = everyTopology.stdout
      .split('\n')
      .flatMap((line) => (line.startsWith('TOPOLOGY ') ? [line.slice(9)] : []));
    expect([...new Set(topologies.map((line) => line.split(':')[1]))].sort()).toEqual([
      'debate',
      'handoff',
      'pipeline',
      'router',
      'supervisor',
      'swarm',
    ]);
    expect(topologies).toContain('field-research:pipeline:complete'); // an agent with tools, from the installed package
    expect(topologies.every((line) => line.endsWith(':complete'))).toBe(true);

    writeFileSync(
      join(scratch, 'plain-teams.js'),
      `import { defineAgent, defineTeam } from 'troupe';
const solo = defineAgent({ name: 'solo', role: 'writer', system: 'Answer briefly.', output: 'text' });
export const teams = [defineTeam({ name: 'plain', agents: [solo], topology: { kind: 'pipeline', steps: [{ agent: 'solo' }] } })];
export const offlineScript = { solo: [{ text: 'hello from a .js teams module' }] };
`,
    );
    const run = sh(
      'npx',
      [
        'troupe',
        '--teams',
        './plain-teams.js',
        'run',
        'plain',
        'Say hello.',
        '--json',
        '--port',
        '0',
        '--ui-port',
        '0',
      ],
      scratch,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'COMPLETED',
      result: { output: 'hello from a .js teams module' },
    });
    // With payload encryption: the installed worker loads its failure converter and the matching bundle.
    const key = { TROUPE_PAYLOAD_KEY: `pkg:${Buffer.alloc(32, 9).toString('base64')}` };
    const sealed = sh(
      'npx',
      [
        'troupe',
        '--teams',
        './plain-teams.js',
        'run',
        'plain',
        'Say hello.',
        '--json',
        '--port',
        '0',
        '--ui-port',
        '0',
      ],
      scratch,
      key,
    );
    expect(sealed.code, sealed.stderr).toBe(0);
    expect(JSON.parse(sealed.stdout)).toMatchObject({
      status: 'COMPLETED',
      result: { output: 'hello from a .js teams module' },
    });
  });
});

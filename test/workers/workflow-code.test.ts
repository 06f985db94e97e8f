import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENCODED_FAILURES_CONVERTER_PATH, payloadDataConverter } from '../../src/codec/index.js';
import { workflowCode } from '../../src/workers/workflow-code.js';

/** A checkout's layout in a scratch folder: src/ with a workflow file, and dist/ with or without its bundles. */
function checkout(bundle: 'none' | 'fresh' | 'stale') {
  const root = mkdtempSync(join(tmpdir(), 'troupe-checkout-'));
  mkdirSync(join(root, 'src', 'workflows'), { recursive: true });
  mkdirSync(join(root, 'dist'));
  const source = join(root, 'src', 'workflows', 'index.ts');
  const prebuilt = join(root, 'dist', 'workflows.bundle.js');
  const prebuiltEncodedFailures = join(root, 'dist', 'workflows-encoded-failures.bundle.js');
  writeFileSync(source, 'export {};');
  utimesSync(source, new Date(1_000_000_000_000), new Date(1_000_000_000_000));
  if (bundle !== 'none') {
    for (const file of [prebuilt, prebuiltEncodedFailures]) {
      writeFileSync(file, '/* bundle */');
      const built = bundle === 'fresh' ? 1_000_000_100_000 : 999_999_900_000;
      utimesSync(file, new Date(built), new Date(built));
    }
  }
  return { prebuilt, prebuiltEncodedFailures, sources: join(root, 'src'), workflows: source };
}

describe('the workflow code a worker loads', () => {
  it("loads a checkout's prebuilt bundle once it is newer than every source", () => {
    const paths = checkout('fresh');
    expect(workflowCode({}, paths)).toEqual({
      option: { workflowBundle: { codePath: paths.prebuilt } },
      description: `prebuilt bundle ${paths.prebuilt}`,
    });
  });

  it('bundles at start, saying why, when a source changed after the build or there is no build', () => {
    const stale = checkout('stale');
    const code = workflowCode({}, stale);
    expect(code.option).toEqual({ workflowsPath: stale.workflows });
    expect(code.description).toMatch(
      /^bundled at start from .*index\.ts \(.*index\.ts is newer than .*workflows\.bundle\.js: npm run build\)$/,
    );
    const none = checkout('none');
    expect(workflowCode({}, none).description).toContain(
      `no prebuilt bundle at ${none.prebuilt}: npm run build makes one`,
    );
  });

  it("the package's bundle is always loaded; tracing needs bundling at start; a given bundle wins", () => {
    const stale = checkout('stale');
    expect(workflowCode({}, { ...stale, sources: undefined }).option).toEqual({
      workflowBundle: { codePath: stale.prebuilt },
    });
    expect(workflowCode({ bundlingPlugins: true }, checkout('fresh')).description).toContain(
      'tracing adds its interceptors',
    );
    const given = { code: '/* given */' };
    expect(workflowCode({ workflowBundle: given }, stale).option).toEqual({ workflowBundle: given });
  });

  it('a worker that encrypts payloads loads the bundle that encodes failure messages; converters of its own are bundled at start', () => {
    const paths = checkout('fresh');
    const encrypting = payloadDataConverter({ TROUPE_PAYLOAD_KEY: Buffer.alloc(32, 7).toString('base64') });
    expect(encrypting.failureConverterPath).toBe(ENCODED_FAILURES_CONVERTER_PATH);
    expect(workflowCode({ dataConverter: encrypting }, paths).option).toEqual({
      workflowBundle: { codePath: paths.prebuiltEncodedFailures },
    });
    expect(workflowCode({ dataConverter: {} }, paths).option).toEqual({ workflowBundle: { codePath: paths.prebuilt } });
    const own = workflowCode({ dataConverter: { failureConverterPath: '/somewhere/my-failures.js' } }, paths);
    expect(own.option).toEqual({ workflowsPath: paths.workflows });
    expect(own.description).toContain('the data converter names converters of its own');
  });
});

import type { DataConverter } from '@temporalio/common';
import type { WorkflowBundle } from '@temporalio/worker';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENCODED_FAILURES_CONVERTER_PATH, payloadDataConverter } from '../codec/index.js';

/** Compiled (the package) or run from source (a checkout, through tsx). */
const COMPILED = import.meta.url.endsWith('.js');
/** The path of Troupe's workflow code (`workflows/index`), for a worker that bundles the workflows itself. */
export const WORKFLOWS_PATH = fileURLToPath(new URL(`../workflows/index.${COMPILED ? 'js' : 'ts'}`, import.meta.url));
/**
 * `npm run build` prebuilds the workflows beside the compiled code: dist/workflows.bundle.js, and
 * dist/workflows-encoded-failures.bundle.js for workers that encrypt payloads (its failures keep
 * their messages in an encrypted payload; see ENCODED_FAILURES_CONVERTER_PATH).
 */
const prebuilt = (name: string) =>
  fileURLToPath(new URL(COMPILED ? `../${name}` : `../../dist/${name}`, import.meta.url));
const PREBUILT = prebuilt('workflows.bundle.js');
const PREBUILT_ENCODED_FAILURES = prebuilt('workflows-encoded-failures.bundle.js');
/** The sources a checkout's prebuilt bundle was built from. */
const SOURCES = fileURLToPath(new URL('..', import.meta.url));

/** The workflow code a worker loads, and a line that says which (for its start-up message). */
export interface WorkflowCode {
  option: { workflowBundle: WorkflowBundle | { codePath: string } } | { workflowsPath: string };
  description: string;
}

/**
 * A given bundle; else the prebuilt one for the worker's data converter, so a worker bundles nothing
 * at start (the package's always; a checkout's once `npm run build` has made it, and while no source
 * is newer than it); else the workflows are bundled now, with the data converter's converter paths.
 * Plugins that add workflow interceptors, and converters of one's own, need bundling now.
 */
export function workflowCode(
  options: { workflowBundle?: WorkflowBundle | undefined; bundlingPlugins?: boolean; dataConverter?: DataConverter },
  paths = {
    prebuilt: PREBUILT,
    prebuiltEncodedFailures: PREBUILT_ENCODED_FAILURES,
    sources: COMPILED ? undefined : SOURCES,
    workflows: WORKFLOWS_PATH,
  },
): WorkflowCode {
  if (options.workflowBundle)
    return { option: { workflowBundle: options.workflowBundle }, description: 'the given workflow bundle' };
  const bundleNow = (why: string): WorkflowCode => ({
    option: { workflowsPath: paths.workflows },
    description: `bundled at start from ${paths.workflows} (${why})`,
  });
  if (options.bundlingPlugins) return bundleNow('tracing adds its interceptors to the bundle');
  const { failureConverterPath, payloadConverterPath } = options.dataConverter ?? payloadDataConverter();
  if (payloadConverterPath || (failureConverterPath && failureConverterPath !== ENCODED_FAILURES_CONVERTER_PATH))
    return bundleNow('the data converter names converters of its own');
  if (failureConverterPath) paths = { ...paths, prebuilt: paths.prebuiltEncodedFailures };
  if (!existsSync(paths.prebuilt)) return bundleNow(`no prebuilt bundle at ${paths.prebuilt}: npm run build makes one`);
  const newer = paths.sources === undefined ? undefined : newerSource(paths.sources, statSync(paths.prebuilt).mtimeMs);
  if (newer)
    return bundleNow(`${relative(process.cwd(), newer) || newer} is newer than ${paths.prebuilt}: npm run build`);
  return { option: { workflowBundle: { codePath: paths.prebuilt } }, description: `prebuilt bundle ${paths.prebuilt}` };
}

/** A source file changed after the bundle was built, if any: that bundle may not match the code. */
function newerSource(dir: string, than: number): string | undefined {
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name);
    if (/\.([cm]?ts|cjs)$/.test(name) && statSync(path).mtimeMs > than) return path;
  }
  return undefined;
}

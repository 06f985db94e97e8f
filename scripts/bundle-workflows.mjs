// Prebuilds the workflow bundles the package ships, so a worker started from node_modules loads one
// instead of bundling Troupe's workflows at every start: dist/workflows.bundle.js, and
// dist/workflows-encoded-failures.bundle.js for workers that encrypt payloads (TROUPE_PAYLOAD_KEY),
// whose failures keep their messages and stack traces in an encrypted payload.
import { copyFileSync, writeFileSync } from 'node:fs';
import { stdout } from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

// tsc compiles TypeScript only: the failure converter is CommonJS that Temporal require()s as it is.
const converter = new URL('../dist/codec/encoded-failures.cjs', import.meta.url);
copyFileSync(new URL('../src/codec/encoded-failures.cjs', import.meta.url), converter);

const workflowsPath = fileURLToPath(new URL('../dist/workflows/index.js', import.meta.url));
const bundles = [
  { name: 'workflows.bundle.js', failureConverterPath: undefined },
  { name: 'workflows-encoded-failures.bundle.js', failureConverterPath: fileURLToPath(converter) },
];
for (const { name, failureConverterPath } of bundles) {
  const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath });
  writeFileSync(new URL(`../dist/${name}`, import.meta.url), code);
  stdout.write(`dist/${name}: ${(code.length / 1024).toFixed(0)} KiB\n`);
}

// Prebuilds the workflow bundle the package ships (dist/workflows.bundle.js), so a worker started
// from node_modules loads it instead of bundling Troupe's workflows at every start.
import { writeFileSync } from 'node:fs';
import { stdout } from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const { code } = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../dist/workflows/index.js', import.meta.url)) });
writeFileSync(new URL('../dist/workflows.bundle.js', import.meta.url), code);
stdout.write(`dist/workflows.bundle.js: ${(code.length / 1024).toFixed(0)} KiB\n`);

import { DefaultLogger, Runtime } from '@temporalio/worker';

// Expected activity failures are logged by the SDK as warnings; keep test output to real errors.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed in this process.
}

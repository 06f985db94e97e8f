import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../support/temporal.js';

// A worker evaluates a workflow's modules afresh for every run (only those loaded with the bundle are
// shared), so what they build when they load is paid at every run's start: zod and its schemas cost
// several ms, most of Troupe's start-up CPU in the throughput benchmark. Workflows load them only
// when a run needs them (a spec nobody checked, a decision from a person, an older worker's answer).

/** The modules one run evaluates, found as the worker does it: the bundle in a vm, a fresh module cache per run. */
async function modulesEvaluatedPerRun(): Promise<string[]> {
  const { code } = await bundleWorkflows();
  const context = vm.createContext({ console, TextEncoder, TextDecoder, URL, AbortController, setTimeout });
  let cache: Record<string, unknown> = {};
  Object.defineProperty(context, '__webpack_module_cache__', {
    value: new Proxy(
      {},
      {
        get: (_, id: string) => cache[id],
        set: (_, id: string, module) => ((cache[id] = module), true),
        has: (_, id: string) => id in cache,
      },
    ),
  });
  vm.runInContext(code, context);
  cache = {}; // what the bundle loaded is shared by every run
  (context as { __TEMPORAL__: { importWorkflows(): unknown } }).__TEMPORAL__.importWorkflows();
  return Object.keys(cache);
}

describe("a run's start", () => {
  it('evaluates the topologies without zod or any schema module', async () => {
    const modules = await modulesEvaluatedPerRun();
    expect(modules.some((id) => id.includes('/src/workflows/debate.ts'))).toBe(true);
    expect(modules.filter((id) => id.includes('node_modules/zod/'))).toEqual([]);
    expect(
      modules.filter((id) =>
        /\/src\/(team\/(decisions|verdict|approval-decision|budget-raise|spec)|protocol\/(usage-schema|delegation-input|run-spec|messages))\.ts$/.test(
          id,
        ),
      ),
    ).toEqual([]);
  }, 60_000);
});

/**
 * A V8 CPU profile (.cpuprofile, from `node --cpu-prof` or the inspector) summed up: self time by
 * where it is spent (Temporal's stack capture per workflow promise, zod, the answer journal, the
 * Anthropic SDK, Troupe's code, the bare app's code, ...), the top functions by self time, and the
 * project's own functions by inclusive time. Used by profile-3s.ts, and on its own:
 * `npx tsx bench/cpu-profile.ts <file.cpuprofile> [--workflows <workflows path>]`; with
 * `--workflows`, frames of a workflow bundle are mapped back to their sources (the same code bundles
 * to the same file name).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { SourceMapConsumer } from 'source-map';

const round = (n: number, digits = 2) => +n.toFixed(digits);

/** Maps the frames of a workflow bundle (its code, with its inline source map) back to their sources. */
export async function bundleFrames(code: string): Promise<Resolve> {
  const inline =
    /sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)/.exec(code)?.[1] ?? '';
  const sourceMap = await new SourceMapConsumer(Buffer.from(inline, 'base64').toString());
  return (f) => {
    if (!/workflow-bundle-/.test(f.url) || f.lineNumber < 0) return f;
    const at = sourceMap.originalPositionFor({ line: f.lineNumber + 1, column: f.columnNumber });
    return {
      functionName: f.functionName || at.name || '(anonymous)',
      url: at.source ?? f.url,
      lineNumber: (at.line ?? 1) - 1,
      columnNumber: at.column ?? 0,
    };
  };
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
export type Resolve = (frame: CallFrame) => CallFrame;
export interface Profile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}
export function summarize(
  profile: Profile,
  resolve: Resolve = (f) => f,
): {
  totalMs: number;
  categoriesMs: Record<string, number>;
  topSelfMs: Record<string, number>;
  ownCodeInclusiveMs: Record<string, number>;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, { ...n, callFrame: resolve(n.callFrame) }]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const frame = (id: number) => byId.get(id)?.callFrame;
  const label = (id: number) => {
    const f = frame(id);
    const file = (f?.url ?? '').split('/').slice(-2).join('/');
    return `${f?.functionName || '(anonymous)'} ${file}:${(f?.lineNumber ?? 0) + 1}`;
  };
  // A sample belongs to the first category any frame on its stack matches, innermost first.
  const categories: [string, (f: NonNullable<ReturnType<typeof frame>>) => boolean][] = [
    [
      'stack trace per promise (Temporal promise hook, source maps)',
      (f) =>
        /source-map/.test(f.url) ||
        (/vm-shared\.js/.test(f.url) &&
          /init|settled|prepareStackTrace|formatCallsiteName|cutoff/.test(f.functionName)) ||
        f.functionName === 'cutoffStackTrace',
    ],
    ['garbage collection', (f) => f.functionName === '(garbage collector)'],
    ['zod', (f) => /node_modules\/zod\//.test(f.url)],
    ['answer journal (files, sha256)', (f) => /answer-journal|file-format/.test(f.url)],
    ['Anthropic SDK', (f) => /@anthropic-ai\/sdk/.test(f.url)],
    ['offline model double', (f) => /providers\/(offline|scripted-messages)/.test(f.url)],
    [
      'payload conversion (JSON ⇄ payloads)',
      (f) => /payload-converter|data-converter|\/converter\/|encoding/.test(f.url),
    ],
    ['Troupe activities', (f) => /src\/activities\//.test(f.url)],
    ['Troupe workflow code', (f) => /src\/(workflows|team|protocol)\//.test(f.url)],
    ['bare code', (f) => /bench\/bare-/.test(f.url)],
    [
      'Temporal workflow runtime (in the sandbox)',
      (f) =>
        /@temporalio\/(workflow|common)\//.test(f.url) &&
        !/node_modules\/@temporalio\/common\/lib\/internal-non-workflow/.test(f.url) &&
        !/^file:/.test(f.url),
    ],
    ['Temporal SDK (worker, workflow, core bridge)', (f) => /@temporalio\//.test(f.url)],
    ['protobuf', (f) => /protobufjs|\/proto\//.test(f.url)],
  ];
  const categoriesMs: Record<string, number> = {};
  const topSelf = new Map<string, number>();
  // Inclusive time of the project's own functions (Troupe's src/, the bare app's bench/bare-*), each counted once per sample.
  const own = new Map<string, number>();
  let total = 0;
  for (const [id, t] of self) {
    const stack: number[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(at);
    // The profiler's own start and stop, through this thread's inspector session, are not the code measured.
    if (stack.some((s) => frame(s)?.url === 'node:inspector')) continue;
    total += t;
    topSelf.set(label(id), (topSelf.get(label(id)) ?? 0) + t);
    let category = 'other (node internals, idle)';
    for (const [name, test] of categories) {
      if (
        stack.some((s) => {
          const f = frame(s);
          return f !== undefined && test(f);
        })
      ) {
        category = name;
        break;
      }
    }
    categoriesMs[category] = (categoriesMs[category] ?? 0) + t;
    for (const name of new Set(stack.filter((s) => /(^|\/)(src\/|bench\/bare-)/.test(frame(s)?.url ?? '')).map(label)))
      own.set(name, (own.get(name) ?? 0) + t);
  }
  const sortedEntries = (m: Iterable<[string, number]>, n: number) =>
    Object.fromEntries(
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, v]) => [k, round(v, 1)]),
    );
  return {
    totalMs: round(total, 1),
    categoriesMs: sortedEntries(Object.entries(categoriesMs), 20),
    topSelfMs: sortedEntries(topSelf, 15),
    ownCodeInclusiveMs: sortedEntries(own, 25),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: npx tsx bench/cpu-profile.ts <file.cpuprofile> [--workflows <workflows path>]');
  const workflows = process.argv.includes('--workflows')
    ? process.argv[process.argv.indexOf('--workflows') + 1]
    : undefined;
  const frames = workflows
    ? await bundleFrames(
        (await bundleWorkflowCode({ workflowsPath: resolve(workflows), logger: new DefaultLogger('WARN') })).code,
      )
    : undefined;
  console.log(JSON.stringify(summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, frames), null, 1));
}

import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** The modules a module loads when it runs: what it imports and re-exports, less what it takes only types from. */
function valueImports(file: string): string[] {
  const statements = readFileSync(file, 'utf8').match(/^(?:import|export)\s(?!type\s)[^;]*?\sfrom\s+'[^']+';/gms) ?? [];
  return statements
    .filter((statement) => !typesOnly(statement))
    .map((statement) => /'([^']+)';$/.exec(statement)?.[1] ?? '');
}

/** `import { type A, type B } from '…'` loads nothing either. */
function typesOnly(statement: string): boolean {
  const names = /^(?:import|export)\s+\{([^}]*)\}\s+from/s.exec(statement)?.[1];
  return (
    names !== undefined &&
    names
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .every((name) => name.startsWith('type '))
  );
}

/** Every module the ledger's core loads, transitively, by path from src/, and the packages among them. */
function loaded(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(join(SRC, entry));
  return { files: [...files].map((f) => relative(SRC, f)).sort(), packages: [...packages].sort() };
}

// The core is plain code: it runs in a unit test with no Temporal, and a change to it is tested in milliseconds.
describe('the ledger core', () => {
  it('loads no package, Temporal least of all: only its own files and the usage sums', () => {
    const { files, packages } = loaded('workflows/runtime/ledger/index.ts');
    expect(packages).toEqual([]);
    expect(files.filter((f) => !f.startsWith('workflows/runtime/ledger/'))).toEqual(['protocol/usage.ts']);
  });

  it('the check sees a value import: call-bounds.ts loads Temporal', () => {
    expect(loaded('workflows/runtime/call-bounds.ts').packages).toContain('@temporalio/workflow');
  });
});

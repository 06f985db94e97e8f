import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PATCHES } from '../../src/workflows/runtime/patches.js';

// Patches exist only in workflow code: the code Temporal replays.
const SRC = fileURLToPath(new URL('../../src/workflows/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|js|cjs|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every call that asks about a patch, as [file, the id or expression asked]. */
function patchQuestions(): [string, string][] {
  return sources(SRC).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/\b(?:isPatched|patched|deprecatePatch)\(\s*([^)]*)\)/g)].map((m): [string, string] => [
      file.slice(SRC.length),
      (m[1] ?? '').trim(),
    ]);
  });
}

describe('the patch registry', () => {
  const questions = patchQuestions();

  it('is the only caller of patched(): everything else asks through isPatched with a literal id', () => {
    const direct = questions.filter(([file, asked]) => file !== 'runtime/patches.ts' && !/^'[\w-]+'$/.test(asked));
    expect(direct).toEqual([]);
    const viaTemporal = sources(SRC).filter(
      (file) =>
        !file.endsWith('runtime/patches.ts') &&
        /\b(patched|deprecatePatch)\b[^;]*from '@temporalio\/workflow'/s.test(
          readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l.startsWith('import') || l.startsWith(' ') || l.startsWith('}'))
            .join('\n'),
        ),
    );
    expect(viaTemporal).toEqual([]);
  });

  it('lists every id the code asks about, and every id it lists is asked somewhere', () => {
    const asked = new Set(questions.filter(([file]) => file !== 'runtime/patches.ts').map(([, id]) => id.slice(1, -1)));
    const listed = Object.keys(PATCHES);
    expect([...asked].filter((id) => !listed.includes(id))).toEqual([]);
    expect(listed.filter((id) => !asked.has(id))).toEqual([]);
  });

  it('says of each patch what it changed, when it was added, and when it may go', () => {
    for (const [id, patch] of Object.entries(PATCHES)) {
      expect(id).toMatch(/^troupe-[a-z-]+$/);
      expect(patch.changed.length, id).toBeGreaterThan(20);
      expect(patch.added, id).toMatch(/^\d{4}-\d\d-\d\d$/);
      expect(patch.removable, id).toContain(patch.added);
    }
  });
});

#!/usr/bin/env node
// The installed package runs its compiled CLI. A checkout of the repository runs its TypeScript
// sources through tsx instead, so there is nothing to build while developing.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  process.env['TROUPE_TSX_REGISTERED'] = '1';
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}

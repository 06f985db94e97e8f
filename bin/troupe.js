#!/usr/bin/env node
// Troupe runs its TypeScript sources directly: register tsx's loader, then start the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

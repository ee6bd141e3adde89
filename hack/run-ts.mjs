#!/usr/bin/env node
// Runs one of the repository's TypeScript tools from its source:
//   node hack/run-ts.mjs samples/generate.ts [args...]
// (ts-hooks.mjs transpiles each .ts file as it is imported; the tool sees its own args in process.argv).
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [script, ...args] = process.argv.slice(2);
if (script === undefined || !script.endsWith('.ts')) {
  process.stderr.write('usage: node hack/run-ts.mjs <file.ts> [args...]\n');
  process.exit(2);
}
register('./ts-hooks.mjs', import.meta.url);
process.argv = [process.argv[0] ?? 'node', resolve(script), ...args];
await import(pathToFileURL(resolve(script)).href);

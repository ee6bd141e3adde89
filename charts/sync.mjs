#!/usr/bin/env node
// Copies into the chart the files it must not fork: crds/*.yaml → charts/mcp-sidecar-operator/crds/, and
// operator/rbac.yaml → charts/mcp-sidecar-operator/files/rbac.yaml (the templates read its rules).
//   node charts/sync.mjs            copy
//   node charts/sync.mjs --check    exit 1 when a copy differs (test/e2e/static/chart.test.ts runs it)
import { readdirSync, readFileSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chart = join(root, 'charts/mcp-sidecar-operator');
/** @type {[source: string, copy: string][]} */
const pairs = readdirSync(join(root, 'crds')).filter((f) => f.endsWith('.yaml')).map((f) => [`crds/${f}`, `crds/${f}`]);
pairs.push(['operator/rbac.yaml', 'files/rbac.yaml']);
const check = process.argv.includes('--check');
const drift = [];
for (const [src, dst] of pairs) {
  const want = readFileSync(join(root, src), 'utf8');
  const path = join(chart, dst);
  if (existsSync(path) && readFileSync(path, 'utf8') === want) continue;
  if (check) drift.push(`${dst} differs from ${src}`);
  else writeFileSync(path, want);
}
const wanted = new Set(pairs.map(([, d]) => d));
for (const f of readdirSync(join(chart, 'crds'))) {
  if (wanted.has(`crds/${f}`)) continue;
  if (check) drift.push(`crds/${f} has no source in crds/`);
  else unlinkSync(join(chart, 'crds', f));
}
if (drift.length > 0) {
  console.error(`the chart drifted from its sources (run: node charts/sync.mjs):\n  ${drift.join('\n  ')}`);
  process.exit(1);
}

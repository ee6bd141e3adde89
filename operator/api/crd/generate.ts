// `npm run generate`: writes the generated files (files.ts) from their sources; with --check, writes
// nothing and exits 1 when a committed file differs (or the chart carries a CRD without a source).
// Run from the repository root (npm does).
import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR, generatedFiles } from './files.js';

const root = process.cwd();
const check = process.argv.includes('--check');
const files = generatedFiles(root);
const drift: string[] = [];
for (const [rel, want] of files) {
  const path = join(root, rel);
  if (existsSync(path) && readFileSync(path, 'utf8') === want) continue;
  if (check) drift.push(`${rel} is not what its sources generate`);
  else {
    writeFileSync(path, want);
    console.log(`wrote ${rel}`);
  }
}
for (const f of readdirSync(join(root, CHART_DIR, 'crds'))) {
  const rel = `${CHART_DIR}/crds/${f}`;
  if (files.has(rel)) continue;
  if (check) drift.push(`${rel} has no source`);
  else {
    unlinkSync(join(root, rel));
    console.log(`removed ${rel}`);
  }
}
if (drift.length > 0) {
  console.error(`generated files drifted from their sources (run: npm run generate):\n  ${drift.join('\n  ')}`);
  process.exit(1);
}

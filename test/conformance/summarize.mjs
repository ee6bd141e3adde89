#!/usr/bin/env node
// Summarizes a conformance output directory (server-<scenario>-<timestamp>/checks.json per scenario):
// one line per scenario (PASS / FAIL / WARN) and, for every FAILURE or WARNING check, its id and message.
//   node test/conformance/summarize.mjs <output-dir> [--json]
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir, flag] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: summarize.mjs <output-dir> [--json]\n');
  process.exit(2);
}
/**
 * One check of the suite's checks.json (the fields read here).
 * @typedef {{ id: string, status: string, errorMessage?: string, description?: string }} Check
 * @type {{ scenario: string, status: 'PASS' | 'FAIL' | 'WARN', problems: { id: string, status: string, message: string | undefined }[] }[]}
 */
const rows = [];
for (const entry of readdirSync(dir).sort()) {
  const file = join(dir, entry, 'checks.json');
  if (!existsSync(file)) continue;
  const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T.*$/, '');
  /** @type {Check[]} */
  const checks = JSON.parse(readFileSync(file, 'utf8'));
  const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
  const status = bad.some((c) => c.status === 'FAILURE') ? 'FAIL' : bad.length > 0 ? 'WARN' : 'PASS';
  rows.push({
    scenario,
    status,
    problems: bad.map((c) => ({ id: c.id, status: c.status, message: c.errorMessage ?? c.description })),
  });
}
if (flag === '--json') {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  for (const r of rows) {
    process.stdout.write(`${r.status.padEnd(4)} ${r.scenario}\n`);
    for (const p of r.problems) process.stdout.write(`       ${p.status} ${p.id}: ${p.message}\n`);
  }
  const count = (/** @type {string} */ s) => rows.filter((r) => r.status === s).length;
  process.stdout.write(`-- ${rows.length} scenarios: ${count('PASS')} pass, ${count('FAIL')} fail, ${count('WARN')} warn-only\n`);
}

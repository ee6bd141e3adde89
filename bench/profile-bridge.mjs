#!/usr/bin/env node
// CPU profile of the bridge on the echo hot path: starts the bridge under `node --cpu-prof`, drives
// sequential calls on one Streamable HTTP session and then a closed loop on 10 sessions, stops the
// bridge (SIGTERM, so the profile is written), and prints the functions with the most self time.
//
//   npm run build && node bench/profile-bridge.mjs [--raw] [--shared] [--calls 5000] [--secs 5] [--top 25] [--keep DIR]
// --raw drives it with bench/lib/raw-client.mjs instead of the SDK client (less client CPU competing
// for the cores, and no SDK client overhead on the bridge's side); --shared profiles shared mode.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RawSession, rawAgent } from './lib/raw-client.mjs';
import { closeAll, openMany, startBridge } from './lib/targets.mjs';
import { table } from './lib/stats.mjs';

const argv = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string | undefined} */ dflt = undefined) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const CALLS = Number(opt('--calls', '5000'));
const SECS = Number(opt('--secs', '5'));
const TOP = Number(opt('--top', '25'));
const keep = opt('--keep');
const RAW = argv.includes('--raw');
const SHARED = argv.includes('--shared');
const dir = keep ?? mkdtempSync(path.join(os.tmpdir(), 'bridge-prof-'));

// The SDK HTTP client leaks one abort listener per request on a session's signal (docs/benchmarks.md).
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'MaxListenersExceededWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});

const bridge = await startBridge({ server: 'fixture', sessionMode: SHARED ? 'shared' : 'per-session', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
/** @type {import('./lib/targets.mjs').SessionTarget} */
const target = { transport: 'http', url: bridge.url };
const agent = rawAgent();
const openRaw = async (/** @type {number} */ n) => {
  const sessions = [];
  for (let i = 0; i < n; i++) sessions.push((await RawSession.open(bridge.url, agent)).session);
  return sessions;
};
/** @type {(n: number) => Promise<(RawSession | import('./lib/targets.mjs').Session)[]>} */
const open = (n) => (RAW ? openRaw(n) : openMany(target, n));
let seq = 0;
let calls = 0;
/** @param {RawSession | import('./lib/targets.mjs').Session} s a raw session with --raw, an SDK one without */
const call = async (s) => {
  const message = `p${++seq}`;
  if (s instanceof RawSession) {
    await s.echo(message);
  } else {
    const r = await s.client.callTool({ name: 'echo', arguments: { message } }, undefined, { timeout: 15_000 });
    if (/** @type {{ text?: string }[] | undefined} */ (r.content)?.[0]?.text !== message) throw new Error(`wrong answer for ${message}`);
  }
  calls++;
};
try {
  const [one] = await open(1);
  if (one === undefined) throw new Error('no session opened');
  for (let i = 0; i < CALLS; i++) await call(one);
  await one.close();
  const ten = await open(10);
  const deadline = performance.now() + SECS * 1000;
  await Promise.all(ten.map(async (s) => {
    while (performance.now() < deadline) await call(s);
  }));
  await closeAll(ten);
} finally {
  agent.destroy();
  await bridge.proc.stop(10_000);
}

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
/** @type {import('node:inspector').Profiler.Profile} */
const prof = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
// Self time per node from the sample counts and time deltas.
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
/** @type {Map<number, number>} µs of self time by node id */
const self = new Map();
const samples = prof.samples ?? [];
const timeDeltas = prof.timeDeltas ?? [];
samples.forEach((id, i) => {
  const dt = timeDeltas[i + 1] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
});
// Percentages are of busy time: (idle) is the bridge waiting for the client or the server.
let idle = 0;
for (const [id, us] of self) {
  if (byId.get(id)?.callFrame.functionName === '(idle)') {
    idle += us;
    self.delete(id);
  }
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
/** @type {Map<string, number>} */
const byFn = new Map();
/** @type {Map<string, number>} */
const byFile = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  if (n === undefined) continue; // every sample names a node of the profile
  const cf = n.callFrame;
  const url = cf.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
  const where = url ? `${url.replace(/.*node_modules\//, 'node_modules/')}:${cf.lineNumber + 1}` : '(native/vm)';
  const key = `${cf.functionName || '(anonymous)'}  ${where}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const fileKey = url.includes('node_modules/') ? url.replace(/.*node_modules\/((?:@[^/]+\/)?[^/]+).*/, 'node_modules/$1') : url.startsWith('node:') ? 'node: internals' : url ? url.replace(/.*\/dist\//, 'dist/') : `(${cf.functionName})`;
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
}
const pct = (/** @type {number} */ us) => `${((us / total) * 100).toFixed(1)}%`;
const top = (/** @type {Map<string, number>} */ m, /** @type {number} */ n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
process.stdout.write(
  `bridge CPU profile (${RAW ? 'raw node:http client' : 'SDK client'}, ${SHARED ? 'shared' : 'per-session'} mode): ${calls} calls (${CALLS} sequential on 1 session, then ${SECS}s closed loop on 10 sessions); ` +
    `bridge busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms (includes start-up and session set-up) → ` +
    `≤ ${(total / calls).toFixed(0)} µs of bridge CPU per call. Percentages are of busy time.\n\n`,
);
process.stdout.write(`${table(['self', 'function  location'], top(byFn, TOP).map(([k, us]) => [pct(us), k]))}\n\n`);
process.stdout.write(`${table(['self', 'module / file'], top(byFile, 15).map(([k, us]) => [pct(us), k]))}\n`);
if (!keep) rmSync(dir, { recursive: true, force: true });
else process.stdout.write(`\nprofile kept in ${dir}/${file}\n`);

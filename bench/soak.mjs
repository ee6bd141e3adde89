#!/usr/bin/env node
// A soak (issue 12): does anything leak over time? Bounded: it stops by itself after --minutes.
//
//   npm run soak -- [--minutes N] [--fuzz-rate R] [--json FILE] [--chart FILE.svg] [--no-inspector]
//                   [--inspector-only] [--no-setup]
//
// Two bridges as real processes (dist/bridge/main.js, port 0) in front of the real npm stdio server
// @modelcontextprotocol/server-everything: one --session-mode shared, one per-session (--warm-pool 2).
// Against each, for the whole run:
//   - LiteLLM's 2025 pattern, as LiteLLM 1.110.2 sends it: initialize + initialized + GET stream +
//     tools/list + tools/call + DELETE per operation (a new session each time);
//   - LiteLLM's 2026-07-28 pattern: server/discover + tools/list + tools/call, no session;
//   - long-lived streams open from start to end: 2025 sessions with their GET /mcp stream, and legacy
//     /sse sessions (SDK SSE client), each used for a tools/call every 30 s (so --idle-timeout, 900 s,
//     does not end them: a stream that ends before the run does is an error);
//   - the HTTP fuzzer of the integration tests (test/lib/http-fuzz.ts, compiled into .cache/soak) at
//     --fuzz-rate requests/s in all (default 60: 108,000 over 30 minutes), on a few sacrificial
//     sessions it may DELETE (replaced every minute), never on the long-lived ones.
// Every 10 s, per bridge: RSS of the bridge process and of its whole tree, open fds of the bridge
// (/proc/<pid>/fd) and of its tree, processes in its tree, event-loop lag (prom-client's default
// metrics on the bridge's /metrics: p99 and max over the last scrape interval, since the histogram is
// reset at each scrape), sessions open, /healthz latency from outside.
// At the end: least-squares slope per series (per minute) over the second half (the first is
// warm-up: V8 heap sizing, the pool, JIT; judged in runs of 10 minutes or more), zero errors (an error is any failed or wrong operation, any
// stream that ended early, any fuzz request not answered or closed in time, any 5xx but 503 to the
// fuzzer), a JSON file and an SVG chart. Before the soak, the Inspector CLI loop
// (bench/lib/inspector-loop.mjs). Exit status 1 when a check fails.
//
// Not part of `npm test` (30 minutes); docs/reliability.md#soak has the figures of a run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chartAvailable, renderVegaLiteSvg } from './lib/chart.mjs';
import { inspectorLoop } from './lib/inspector-loop.mjs';
import { memoryOf, processTree } from './lib/proc.mjs';
import { ModernClient, RawSession, rawAgent } from './lib/raw-client.mjs';
import { table } from './lib/stats.mjs';
import { BRIDGE_MAIN, ROOT, openSession, startBridge } from './lib/targets.mjs';
/** @import { Agent } from 'node:http' */
/** @import { Exit } from './lib/proc.mjs' */
/** @import { Target } from './lib/targets.mjs' */

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const flag = (/** @type {string} */ name) => argv.includes(name);
const opt = (/** @type {string} */ name) => {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  const arg = argv[i];
  if (arg === undefined) return undefined;
  return arg.includes('=') ? arg.slice(name.length + 1) : argv[i + 1];
};
if (flag('--help') || flag('-h')) {
  process.stdout.write('usage: npm run soak -- [--minutes N (30)] [--fuzz-rate R (60)] [--json FILE] [--chart FILE.svg] [--no-inspector] [--inspector-only] [--no-setup]\n');
  process.exit(0);
}
const MINUTES = Number(opt('--minutes') ?? 30);
const FUZZ_RATE = Number(opt('--fuzz-rate') ?? 60);
const JSON_OUT = opt('--json') ?? path.join(ROOT, '.cache/soak/soak.json');
const CHART_OUT = opt('--chart') ?? path.join(ROOT, '.cache/soak/soak.svg');
const SAMPLE_MS = 10_000;
/** Pace per bridge (operations per second): what two shared cores can carry next to other work. */
const RATE = {
  'per-session': { op2025: 0.5, modern: 4 },
  shared: { op2025: 2, modern: 4 },
};
const LONG_STREAMS = 2; // of each kind, per bridge
const LONG_CALL_MS = 30_000;
const FUZZ_SESSIONS = 2;
const FUZZ_BATCH = 50;
const FUZZ_DEADLINE_MS = 35_000; // above the bridge's --body-timeout (30 s): a stalled body ends in 408 or a close
/** What "slope ≈ 0" means here, per minute over the second half (see docs/reliability.md#soak). */
// A leak of ~260 bytes per request (2,000 requests a minute per bridge) already crosses the heap's;
// the tree's RSS and fds move by a whole server process (~70 MiB, ~20 fds) whenever a per-session
// operation is in flight at the sampling instant, hence their wider bands. Lag follows the machine's
// load (shared with other work), not only the bridge.
const LIMITS = { bridgeRssMiB: 1, heapUsedMiB: 0.5, treeRssMiB: 5, bridgeFds: 0.5, treeFds: 2, processes: 0.1, lagP99Ms: 2 };
/** Runs shorter than this only report the slopes (a validation run): warm-up fills their second half. */
const JUDGED_FROM_MINUTES = 10;
/**
 * One sample of a bridge, every SAMPLE_MS (t in minutes since the start; what /metrics and /healthz
 * give is missing when the scrape failed).
 * @typedef {{ t: number, bridgeRssMiB: number, treeRssMiB: number, bridgeFds: number, treeFds: number, processes: number, healthMs?: number, lagP99Ms?: number, lagMaxMs?: number, sessions?: number, heapUsedMiB?: number }} Sample
 * @typedef {'bridgeRssMiB' | 'heapUsedMiB' | 'treeRssMiB' | 'bridgeFds' | 'treeFds' | 'processes' | 'lagP99Ms'} SeriesKey
 */
/**
 * The sampled series that are checked and charted.
 * @type {{ key: SeriesKey, label: string, limit: number, digits: number }[]}
 */
const SERIES = [
  { key: 'bridgeRssMiB', label: 'RSS, bridge (MiB)', limit: LIMITS.bridgeRssMiB, digits: 3 },
  { key: 'heapUsedMiB', label: 'V8 heap used, bridge (MiB)', limit: LIMITS.heapUsedMiB, digits: 3 },
  { key: 'treeRssMiB', label: 'RSS, bridge + servers (MiB)', limit: LIMITS.treeRssMiB, digits: 3 },
  { key: 'bridgeFds', label: 'open fds, bridge', limit: LIMITS.bridgeFds, digits: 3 },
  { key: 'treeFds', label: 'open fds, bridge + servers', limit: LIMITS.treeFds, digits: 3 },
  { key: 'processes', label: 'processes (bridge + servers)', limit: LIMITS.processes, digits: 3 },
  { key: 'lagP99Ms', label: 'event-loop lag p99 (ms)', limit: LIMITS.lagP99Ms, digits: 3 },
];

const log = (/** @type {unknown[]} */ ...a) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);
const out = (s = '') => process.stdout.write(`${s}\n`);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
/** @type {(v: number | undefined) => v is number} */
const isFiniteNumber = (v) => Number.isFinite(v);

if (!existsSync(BRIDGE_MAIN)) {
  process.stderr.write(`soak: ${path.relative(ROOT, BRIDGE_MAIN)} is missing: run \`npm run build\` first\n`);
  process.exit(2);
}
mkdirSync(path.join(ROOT, '.cache/soak'), { recursive: true });
if (!flag('--no-setup')) {
  log('installing the chart renderer and the Inspector CLI versions (bench/setup-peers.sh chart inspector) if missing');
  const r = spawnSync('bash', [path.join(ROOT, 'bench/setup-peers.sh'), 'chart', ...(flag('--no-inspector') ? [] : ['inspector'])], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) log('setup-peers.sh failed; what is missing is skipped');
}

/** @type {{ nproc: number, cpu: string, node: string, commit: string, date: string, load: number[], loadMean?: number, loadMax?: number }} */
const machine = {
  nproc: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
  date: new Date().toISOString(),
  load: [],
};
/** @type {{ name: string, ok: boolean, detail: string }[]} */
const checks = [];
/**
 * The first failures (for the report); counts per kind are on each bridge.
 * @type {{ t: number, bridge: string, kind: string, message: string }[]}
 */
const errors = [];
const check = (/** @type {string} */ name, /** @type {boolean} */ ok, /** @type {string} */ detail) => {
  checks.push({ name, ok, detail });
  log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
};

// ---------------------------------------------------------------- 0. the Inspector CLI loop
/** @type {Awaited<ReturnType<typeof inspectorLoop>>} */
let inspector = [];
if (!flag('--no-inspector')) {
  log('Inspector CLI loop: 20 runs of `--cli <url> --transport http --method tools/list` per version, per-session bridge, --vanished-after 2');
  inspector = await inspectorLoop({ runs: 20, vanishedAfter: 2, log });
  for (const r of inspector) {
    if (r.skipped !== undefined) log(`inspector ${r.version}: skipped: ${r.skipped}`);
    else check(`Inspector ${r.version}: processes back to the baseline after 20 runs`, r.ok, `baseline ${r.baseline}, peak ${r.peak}, after the loop ${r.afterLoop} (${r.sessionsAfterLoop} sessions), after the grace ${r.afterGrace} (${r.sessionsAfterGrace} sessions) in ${r.backInMs} ms; ${r.failures} failed runs${r.firstFailure ? `: ${r.firstFailure}` : ''}`);
  }
}
if (flag('--inspector-only')) await finish([], { planned: 0 });

// ---------------------------------------------------------------- the fuzzer (shared with the tests)
/**
 * test/lib/http-fuzz.ts compiled on its own (as bench/operator-reconcile.sh does for its bench).
 * @returns {Promise<typeof import('../test/lib/http-fuzz.js')>}
 */
async function loadFuzzer() {
  const outDir = path.join(ROOT, '.cache/soak/fuzz');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--strict', '--skipLibCheck', '--types', 'node', '--rootDir', ROOT, '--outDir', outDir, path.join(ROOT, 'test/lib/http-fuzz.ts')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc test/lib/http-fuzz.ts failed:\n${r.stdout}${r.stderr}`);
  return import(pathToFileURL(path.join(outDir, 'test/lib/http-fuzz.js')).href);
}
const { fuzz } = await loadFuzzer();

// ---------------------------------------------------------------- targets
/**
 * One bridge under soak, with its traffic's state and what was measured.
 * @typedef {object} LongStream a stream open for the whole run
 * @property {string} kind
 * @property {() => Promise<void>} call a tools/call on it
 * @property {() => string | undefined} ended why it ended, while it is open: undefined
 * @property {() => Promise<void>} close
 * @property {boolean} [reported] its early end was counted
 * @typedef {Target & { id: 'shared' | 'per-session', agent: Agent, errors: Record<string, number>, ops: { op2025: number, modern: number, longCalls: number, fuzz: number }, fuzzTally: Record<string, number>, fuzzSessions: RawSession[], long: LongStream[], samples: Sample[] }} SoakBridge
 */
/**
 * @param {SoakBridge} bridge
 * @param {string} kind
 * @param {unknown} err an Error or a message
 */
function noteError(bridge, kind, err) {
  const message = typeof err === 'object' && err !== null && 'message' in err ? err.message : undefined;
  const e = { t: Date.now(), bridge: bridge.id, kind, message: String(message ?? err).slice(0, 300) };
  bridge.errors[kind] = (bridge.errors[kind] ?? 0) + 1;
  if (errors.length < 50) errors.push(e);
  if ((bridge.errors[kind] ?? 0) <= 3) log(`ERROR ${bridge.id} ${kind}: ${e.message}`);
}

/** @type {SoakBridge[]} */
const bridges = [];
const stopping = { now: false };
process.on('SIGINT', () => {
  stopping.now = true;
  void Promise.all(bridges.map((b) => b.proc.stop())).then(() => process.exit(130));
});

for (const mode of /** @type {const} */ (['shared', 'per-session'])) {
  const b = await startBridge({ server: 'everything', sessionMode: mode, warmPool: mode === 'per-session' ? 2 : 0, extraArgs: ['--drain-delay', '0'], name: `bridge(${mode})` });
  bridges.push({ id: mode, ...b, agent: rawAgent(), errors: {}, ops: { op2025: 0, modern: 0, longCalls: 0, fuzz: 0 }, fuzzTally: {}, fuzzSessions: [], long: [], samples: [] });
  log(`bridge ${mode}: ${b.url} (pid ${b.proc.pid})`);
}

// ---------------------------------------------------------------- traffic
let seq = 0;
const message = () => `soak-${++seq}`;

/** @param {SoakBridge} b */
async function op2025(b) {
  const { session } = await RawSession.open(b.url, b.agent);
  const stream = await openStream(b.url, session.headers);
  try {
    if (stream.status !== 200) throw new Error(`GET stream: HTTP ${stream.status}`);
    /** @type {{ tools?: { name: string }[] }} */
    const list = await session.call('tools/list', {});
    if (!list.tools?.some((t) => t.name === 'echo')) throw new Error('tools/list: no echo tool');
    await session.echo(message());
  } finally {
    stream.close();
    await session.close();
  }
}

/** @param {SoakBridge} b */
async function opModern(b) {
  const client = new ModernClient(b.url, b.agent);
  await client.call('server/discover', {});
  /** @type {{ tools?: { name: string }[] }} */
  const list = await client.call('tools/list', {});
  if (!list.tools?.some((t) => t.name === 'echo')) throw new Error('tools/list (2026-07-28): no echo tool');
  await client.echo(message());
}

/**
 * A GET /mcp stream on its own connection (not the pooled agent: it stays open); `ended` is set when
 * the server ends it or the connection breaks.
 * @param {string} url
 * @param {import('node:http').OutgoingHttpHeaders} headers
 * @returns {Promise<{ status: number | undefined, ended: string | undefined, closing: boolean, close(): void }>}
 */
function openStream(url, headers) {
  return new Promise((resolve, reject) => {
    /** @type {{ status: number | undefined, ended: string | undefined, closing: boolean, close(): void }} */
    const state = { status: 0, ended: undefined, closing: false, close: () => {} };
    const req = request(url, { method: 'GET', agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      state.status = res.statusCode;
      res.on('data', () => {});
      res.on('end', () => (state.ended ??= 'ended by the server'));
      res.on('error', (err) => (state.ended ??= err.message));
      res.on('close', () => (state.ended ??= 'connection closed'));
      resolve(state);
    });
    state.close = () => {
      state.closing = true;
      req.destroy();
    };
    req.on('error', (err) => {
      state.ended ??= err.message;
      reject(err);
    });
    req.end();
  });
}

/**
 * Paced loop: `rate` operations per second, one at a time, until the deadline.
 * @param {SoakBridge} b
 * @param {'op2025' | 'modern'} kind
 * @param {number} rate
 * @param {(b: SoakBridge) => Promise<void>} fn
 * @param {number} deadline
 */
async function paced(b, kind, rate, fn, deadline) {
  const interval = 1000 / rate;
  let next = performance.now();
  while (!stopping.now && Date.now() < deadline) {
    try {
      await fn(b);
      b.ops[kind]++;
    } catch (err) {
      noteError(b, kind, err);
    }
    next += interval;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    else next = performance.now(); // behind (a slow machine): do not burst to catch up
  }
}

/** @param {SoakBridge} b */
async function openLong(b) {
  for (let i = 0; i < LONG_STREAMS; i++) {
    const { session } = await RawSession.open(b.url, b.agent);
    const stream = await openStream(b.url, session.headers);
    if (stream.status !== 200) throw new Error(`long GET stream: HTTP ${stream.status}`);
    b.long.push({
      kind: 'streamable GET /mcp',
      call: () => session.echo(message()),
      ended: () => stream.ended,
      close: async () => {
        stream.close();
        await session.close();
      },
    });
  }
  for (let i = 0; i < LONG_STREAMS; i++) {
    const s = await openSession({ transport: 'sse', url: b.sseUrl });
    /** @type {string | undefined} */
    let closed;
    s.client.onclose = () => (closed ??= 'closed');
    b.long.push({
      kind: 'legacy /sse',
      call: async () => {
        const m = message();
        const r = await s.client.callTool({ name: 'echo', arguments: { message: m } }, undefined, { timeout: 30_000 });
        if (!String(/** @type {{ text?: string }[] | undefined} */ (r.content)?.[0]?.text ?? '').endsWith(m)) throw new Error(`wrong answer: ${JSON.stringify(r).slice(0, 200)}`);
      },
      ended: () => (s.errors.length > 0 ? `${closed ?? 'open'}; ${s.errors.join('; ')}` : closed),
      close: () => {
        s.client.onclose = undefined;
        return s.close();
      },
    });
  }
}

/**
 * @param {SoakBridge} b
 * @param {number} deadline
 */
async function longCalls(b, deadline) {
  while (!stopping.now && Date.now() < deadline) {
    await sleep(Math.min(LONG_CALL_MS, Math.max(0, deadline - Date.now())));
    if (Date.now() >= deadline) break;
    for (const l of b.long) {
      const ended = l.ended();
      if (ended !== undefined) {
        if (!l.reported) noteError(b, 'long', `${l.kind} ended early: ${ended}`);
        l.reported = true;
        continue;
      }
      try {
        await l.call();
        b.ops.longCalls++;
      } catch (err) {
        noteError(b, 'long', `${l.kind}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

/**
 * Sacrificial sessions for the fuzzer (it may DELETE them or send them anything): replaced every minute.
 * @param {SoakBridge} b
 */
async function refreshFuzzSessions(b) {
  const old = b.fuzzSessions.splice(0);
  for (let i = 0; i < FUZZ_SESSIONS; i++) {
    try {
      b.fuzzSessions.push((await RawSession.open(b.url, b.agent)).session);
    } catch (err) {
      noteError(b, 'fuzz-session', err);
    }
  }
  await Promise.all(old.map((s) => s.close()));
}

/**
 * @param {SoakBridge} b
 * @param {number} rate requests per second
 * @param {number} deadline
 * @param {number} seedBase
 */
async function fuzzLoop(b, rate, deadline, seedBase) {
  const port = Number(new URL(b.url).port);
  const target = { port, sessions: () => b.fuzzSessions.map((s) => s.sessionId) };
  const t0 = performance.now();
  let batch = 0;
  let lastRefresh = Date.now();
  while (!stopping.now && Date.now() < deadline) {
    if (Date.now() - lastRefresh > 60_000) {
      await refreshFuzzSessions(b);
      lastRefresh = Date.now();
    }
    try {
      const { tally } = await fuzz(target, FUZZ_BATCH, seedBase + batch, { concurrency: 4, deadlineMs: FUZZ_DEADLINE_MS });
      for (const [k, v] of Object.entries(tally)) {
        b.fuzzTally[k] = (b.fuzzTally[k] ?? 0) + v;
        if (/^5\d\d$/.test(k) && k !== '503') noteError(b, 'fuzz', `${v} x HTTP ${k} (seed ${seedBase + batch})`);
      }
      b.ops.fuzz += FUZZ_BATCH;
    } catch (err) {
      noteError(b, 'fuzz', `${err instanceof Error ? err.message : String(err)} (seed ${seedBase + batch})`);
    }
    batch++;
    const wait = t0 + (batch * FUZZ_BATCH * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
  }
}

// ---------------------------------------------------------------- sampling
/** @param {SoakBridge} b */
async function scrape(b) {
  const t0 = performance.now();
  const health = await fetch(b.url.replace(/\/mcp$/, '/healthz'), { signal: AbortSignal.timeout(10_000) });
  await health.body?.cancel();
  const healthMs = performance.now() - t0;
  const text = await (await fetch(b.url.replace(/\/mcp$/, '/metrics'), { signal: AbortSignal.timeout(10_000) })).text();
  const metric = (/** @type {string} */ name) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
  // A max of 0 means the delay histogram held no sample since its last reset (seen a few times in 180
  // scrapes): no reading, not a lag of 0.
  const lagMax = metric('mcp_bridge_nodejs_eventloop_lag_max_seconds');
  return {
    healthMs,
    lagP99Ms: lagMax > 0 ? metric('mcp_bridge_nodejs_eventloop_lag_p99_seconds') * 1000 : NaN,
    lagMaxMs: lagMax > 0 ? lagMax * 1000 : NaN,
    sessions: metric('mcp_bridge_sessions_active'),
    heapUsedMiB: metric('mcp_bridge_nodejs_heap_size_used_bytes') / 2 ** 20,
  };
}

/** @param {number} pid */
function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/**
 * @param {SoakBridge} b
 * @param {number} t0
 */
async function sample(b, t0) {
  const tree = processTree(b.proc.pid);
  /** @type {Sample} */
  const s = {
    t: (Date.now() - t0) / 60_000,
    bridgeRssMiB: memoryOf([b.proc.pid]).rss / 2 ** 20,
    treeRssMiB: memoryOf(tree).rss / 2 ** 20,
    bridgeFds: fdCount(b.proc.pid),
    treeFds: tree.reduce((a, pid) => a + fdCount(pid), 0),
    processes: tree.length,
  };
  try {
    Object.assign(s, await scrape(b));
  } catch (err) {
    noteError(b, 'scrape', err);
  }
  b.samples.push(s);
}

// ---------------------------------------------------------------- run
const t0 = Date.now();
const deadline = t0 + MINUTES * 60_000;
log(`soak: ${MINUTES} min; per bridge: 2025 pattern ${RATE.shared.op2025}/s shared, ${RATE['per-session'].op2025}/s per-session; 2026-07-28 pattern ${RATE.shared.modern}/s; ${LONG_STREAMS} GET /mcp + ${LONG_STREAMS} /sse long streams; fuzzer ${FUZZ_RATE}/s in all`);
for (const b of bridges) {
  await openLong(b);
  await refreshFuzzSessions(b);
}
const b0samples = () => bridges[0]?.samples.length ?? 0;
const samplerRun = (async () => {
  let next = Date.now();
  while (!stopping.now && Date.now() <= deadline) {
    machine.load.push(os.loadavg()[0] ?? NaN);
    for (const b of bridges) await sample(b, t0);
    const last = bridges.map((b) => {
      const s = b.samples.at(-1);
      if (s === undefined) return `${b.id}: no sample`; // sample() always adds one
      return `${b.id}: rss ${s.bridgeRssMiB.toFixed(0)}/${s.treeRssMiB.toFixed(0)} MiB fds ${s.bridgeFds}/${s.treeFds} procs ${s.processes} lag p99 ${s.lagP99Ms?.toFixed(1)} ms sessions ${s.sessions} ops ${JSON.stringify(b.ops)}`;
    });
    if (b0samples() % 6 === 1) log(`t=${bridges[0]?.samples.at(-1)?.t.toFixed(1)} min load ${os.loadavg()[0]?.toFixed(2)} | ${last.join(' | ')}`);
    next += SAMPLE_MS;
    await sleep(Math.max(0, Math.min(next, deadline + 1) - Date.now()));
    if (Date.now() > deadline) break;
  }
})();

await Promise.all([
  samplerRun,
  ...bridges.flatMap((b, i) => [
    paced(b, 'op2025', RATE[b.id].op2025, op2025, deadline),
    paced(b, 'modern', RATE[b.id].modern, opModern, deadline),
    longCalls(b, deadline),
    fuzzLoop(b, FUZZ_RATE / bridges.length, deadline, 20261203 + i * 1_000_000),
  ]),
]);
// The long streams must have lasted the whole run.
for (const b of bridges) {
  for (const l of b.long) {
    const ended = l.ended();
    if (ended !== undefined && !l.reported) noteError(b, 'long', `${l.kind} ended early: ${ended}`);
  }
  await Promise.all([...b.long.map((l) => l.close()), ...b.fuzzSessions.map((s) => s.close())]);
  b.agent.destroy();
}
const exits = [];
for (const b of bridges) exits.push({ id: b.id, exit: await b.proc.stop(30_000) });
await finish(bridges, { planned: MINUTES, exits });

// ---------------------------------------------------------------- report
/**
 * Least-squares slope of y over x (units of y per minute).
 * @param {{ x: number, y: number }[]} points
 */
function slope(points) {
  const n = points.length;
  if (n < 3) return NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}


/**
 * The report, the JSON file and the chart; exits (1 when a check failed).
 * @param {SoakBridge[]} runBridges
 * @param {{ planned: number, exits?: { id: string, exit: Exit }[] }} run planned: minutes
 * @returns {Promise<never>}
 */
async function finish(runBridges, { planned, exits = [] }) {
  const loadMean = machine.load.length > 0 ? machine.load.reduce((a, b) => a + b, 0) / machine.load.length : (os.loadavg()[0] ?? NaN);
  const loadMax = machine.load.length > 0 ? Math.max(...machine.load) : (os.loadavg()[0] ?? NaN);
  machine.loadMean = loadMean;
  machine.loadMax = loadMax;
  const summary = runBridges.map((b) => {
    const half = b.samples.filter((s) => s.t >= planned / 2);
    const series = /** @type {Record<SeriesKey, SeriesSummary>} */ (Object.fromEntries(
      SERIES.map((s) => {
        const vals = b.samples.map((x) => x[s.key]).filter(isFiniteNumber);
        const pts = half.flatMap((x) => {
          const y = x[s.key];
          return isFiniteNumber(y) ? [{ x: x.t, y }] : [];
        });
        return [s.key, { slopePerMin: slope(pts), first: vals[0], last: vals.at(-1), min: Math.min(...vals), max: Math.max(...vals), halfMean: pts.reduce((a, p) => a + p.y, 0) / (pts.length || 1) }];
      }),
    ));
    return { id: b.id, url: b.url, ops: b.ops, errors: b.errors, fuzzTally: b.fuzzTally, series, samples: b.samples, lagMaxMs: Math.max(0, ...b.samples.map((s) => s.lagMaxMs).filter(isFiniteNumber)), healthMaxMs: Math.max(0, ...b.samples.map((s) => s.healthMs ?? 0)) };
  });

  for (const s of summary) {
    const errCount = Object.values(s.errors).reduce((a, v) => a + v, 0);
    check(`${s.id}: zero errors`, errCount === 0, errCount === 0 ? `${s.ops.op2025} 2025 operations, ${s.ops.modern} 2026-07-28 operations, ${s.ops.longCalls} calls on long streams, ${s.ops.fuzz} fuzz requests` : JSON.stringify(s.errors));
    for (const def of SERIES) {
      const v = s.series[def.key].slopePerMin;
      const detail = `${Number.isFinite(v) ? v.toFixed(def.digits) : 'n/a'} per min (limit ±${def.limit})`;
      // In a short run the second half is still warm-up (heap sizing, pool): reported, not judged.
      if (planned >= JUDGED_FROM_MINUTES) check(`${s.id}: ${def.label} slope over the second half`, Number.isFinite(v) && Math.abs(v) <= def.limit, detail);
      else log(`(not judged, run < ${JUDGED_FROM_MINUTES} min) ${s.id}: ${def.label} slope over the second half: ${detail}`);
    }
  }
  for (const e of exits) check(`${e.id}: bridge stopped cleanly on SIGTERM`, e.exit?.code === 0, JSON.stringify(e.exit));
  const fuzzTotal = summary.reduce((a, s) => a + s.ops.fuzz, 0);
  if (planned > 0) check('fuzzer: requests over the run', fuzzTotal >= Math.floor(FUZZ_RATE * planned * 60 * 0.9), `${fuzzTotal} (planned ${FUZZ_RATE * planned * 60})`);

  const result = { machine, minutes: planned, rates: RATE, fuzzRate: FUZZ_RATE, limits: LIMITS, inspector, bridges: summary, errors, checks };
  mkdirSync(path.dirname(JSON_OUT), { recursive: true });
  writeFileSync(JSON_OUT, JSON.stringify(result, null, 1));
  log(`wrote ${JSON_OUT}`);

  out(`## Soak: ${planned} min${planned > 0 ? '' : ' (Inspector loop only)'}`);
  out();
  out(`- machine: ${machine.nproc} CPUs (${machine.cpu}), shared with other workloads; load average (1 min) mean ${loadMean.toFixed(2)}, max ${loadMax.toFixed(2)} over the run`);
  out(`- node ${machine.node}; repo ${machine.commit}; ${machine.date}`);
  if (inspector.length > 0) {
    out();
    out('### Inspector CLI loop (20 runs of `--cli URL --transport http --method tools/list`, per-session bridge, --vanished-after 2)');
    out();
    out(table(['version', 'failed runs', 'mean run ms', 'processes: baseline', 'peak', 'after loop', 'after grace', 'sessions after loop', 'back in ms'], inspector.map((r) => (r.skipped !== undefined ? [r.version, r.skipped, '', '', '', '', '', '', ''] : [r.version, r.failures, r.meanRunMs, r.baseline, r.peak, r.afterLoop, r.afterGrace, r.sessionsAfterLoop, r.backInMs]))));
  }
  if (summary.length > 0) {
    out();
    out('### Operations and errors');
    out();
    out(table(['bridge', '2025 ops', '2026-07-28 ops', 'long-stream calls', 'fuzz requests', 'fuzz outcomes', 'errors', 'lag max ms', '/healthz max ms'], summary.map((s) => [s.id, s.ops.op2025, s.ops.modern, s.ops.longCalls, s.ops.fuzz, Object.entries(s.fuzzTally).sort().map(([k, v]) => `${k}: ${v}`).join(', '), JSON.stringify(s.errors), s.lagMaxMs.toFixed(1), s.healthMaxMs.toFixed(1)])));
    out();
    out('### Slopes over the second half (least squares, per minute), with first → last sample and min–max of the run');
    out();
    out(table(['series', ...summary.map((s) => `${s.id}: slope/min`), ...summary.map((s) => `${s.id}: first → last (min–max)`), 'limit'], SERIES.map((def) => [
      def.label,
      ...summary.map((s) => s.series[def.key].slopePerMin.toFixed(def.digits)),
      ...summary.map((s) => {
        const x = s.series[def.key];
        // first and last are undefined when the series has no reading at all (every scrape failed).
        const f = (/** @type {number | undefined} */ v) => (v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(1));
        return `${f(x.first)} → ${f(x.last)} (${f(x.min)}–${f(x.max)})`;
      }),
      `±${def.limit}`,
    ])));
    if (errors.length > 0) {
      out();
      out('### First errors');
      for (const e of errors.slice(0, 10)) out(`- ${e.bridge} ${e.kind}: ${e.message}`);
    }
    await writeChart(summary);
  }
  const failed = checks.filter((c) => !c.ok);
  out();
  out(failed.length === 0 ? `All ${checks.length} checks passed.` : `${failed.length} of ${checks.length} checks FAILED: ${failed.map((c) => c.name).join('; ')}`);
  process.exit(failed.length === 0 ? 0 : 1);
}

/**
 * @typedef {{ slopePerMin: number, first: number | undefined, last: number | undefined, min: number, max: number, halfMean: number }} SeriesSummary
 * @param {{ id: string, samples: Sample[] }[]} summary
 */
async function writeChart(summary) {
  if (!chartAvailable()) {
    log('chart renderer missing (bench/setup-peers.sh chart): no SVG');
    return;
  }
  const values = summary.flatMap((s) => s.samples.flatMap((x) => SERIES.filter((def) => Number.isFinite(x[def.key])).map((def) => ({ t: Number(x.t.toFixed(3)), bridge: s.id, metric: def.label, value: x[def.key] }))));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Soak: ${summary[0]?.samples.length ?? 0} samples per bridge, every ${SAMPLE_MS / 1000} s (server-everything; both eras, long streams, fuzzer)`,
    data: { values },
    facet: { row: { field: 'metric', type: 'nominal', title: null, sort: SERIES.map((d) => d.label) } },
    spec: {
      width: 640,
      height: 110,
      mark: { type: 'line', strokeWidth: 1.2 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'minutes' },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'bridge', type: 'nominal', title: 'bridge' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  const svg = await renderVegaLiteSvg(spec);
  mkdirSync(path.dirname(CHART_OUT), { recursive: true });
  writeFileSync(CHART_OUT, svg);
  log(`wrote ${CHART_OUT}`);
}

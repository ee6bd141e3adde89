#!/usr/bin/env node
// The bridge's per-call cost, measured so that a busy, shared machine blurs it as little as possible:
// a cheap raw node:http keep-alive client (bench/lib/raw-client.mjs, not the SDK client) drives echo
// tools/call in a closed loop, targets are measured in interleaved rounds, and the figure that
// matters is CPU per call of the bridge process alone (user+system from /proc, its children counted
// apart), which does not depend on how long the kernel made anyone wait.
//
//   npm run build && node bench/hot-path.mjs [--baseline DIR] [--targets a,b] [-c 1] [--secs 6] [--rounds 6] [--sdk]
//
// --sdk drives the HTTP targets with the SDK's StreamableHTTPClientTransport instead (as bench/run.mjs
// does), to see what that client costs the server side.
//
// Targets: direct (raw JSON-RPC lines on the fixture's stdio, no HTTP: the floor the bridge adds to),
// bridge (per-session), shared (--session-mode shared), floor (bench/lib/http-floor.mjs: HTTP only),
// relay (bench/lib/relay-floor.mjs: the least an HTTP → stdio relay in Node does per call),
// base / base-shared (the same bridge from DIR/dist/bridge/main.js: a copy of an older build, so a
// change is compared against its parent in the same minutes, under the same load).
import os from 'node:os';
import path from 'node:path';
import { cpuMsOf, cpuSplitOf, processTree } from './lib/proc.mjs';
import { RawSession, rawAgent } from './lib/raw-client.mjs';
import { ms, summarize, table } from './lib/stats.mjs';
import { openSession, startBridge, startHttpFloor, startRelayFloor, startStdioDirect } from './lib/targets.mjs';

const argv = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string | undefined} */ dflt = undefined) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const baseline = opt('--baseline');
const C = Number(opt('-c', '1'));
const SECS = Number(opt('--secs', '6'));
const ROUNDS = Number(opt('--rounds', '6'));
const WARM_MS = 1000;
const SDK = argv.includes('--sdk');
const wanted = (opt('--targets', baseline ? 'base,bridge' : 'floor,bridge,shared') ?? '').split(',');

// e.g. BENCH_NODE_ARGS=--perf-basic-prof, so `perf record` can name the bridge's JIT frames.
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** The baseline build's bridge (base targets only; their check below makes --baseline required). */
const baseMain = () => path.join(baseline ?? '', 'dist/bridge/main.js');
/**
 * A session of a target: an echo tools/call, and close; pid for direct stdio (the server it spawned).
 * @typedef {{ echo(message: string): Promise<void>, close(): Promise<unknown>, pid?: number | null }} EchoSession
 * A target: an HTTP URL, or (direct stdio) its own way to open sessions; proc.pid undefined when it has
 * no process of its own.
 * @typedef {{ pid?: number, stop?: () => Promise<unknown> }} TargetProc
 * @typedef {{ proc: TargetProc, url: string } | { proc: TargetProc, url?: undefined, open(): Promise<EchoSession> }} Target
 * @type {Record<string, () => Promise<Target>>}
 */
const makers = {
  direct: () => startStdioDirect(),
  floor: () => startHttpFloor(),
  relay: () => startRelayFloor(),
  bridge: () => startBridge({ name: 'bridge', nodeArgs }),
  shared: () => startBridge({ name: 'shared', sessionMode: 'shared', nodeArgs }),
  base: () => startBridge({ name: 'base', nodeArgs, main: baseMain() }),
  'base-shared': () => startBridge({ name: 'base-shared', sessionMode: 'shared', nodeArgs, main: baseMain() }),
};
for (const id of wanted) if (!makers[id]) throw new Error(`unknown target ${id} (known: ${Object.keys(makers).join(', ')})`);
if (wanted.some((id) => id.startsWith('base')) && !baseline) throw new Error('base targets need --baseline DIR');

/**
 * An SDK client session with the raw session's echo()/close() interface.
 * @param {string} url
 * @returns {Promise<EchoSession>}
 */
async function sdkSession(url) {
  const s = await openSession({ transport: 'http', url });
  return {
    async echo(message) {
      const r = await s.client.callTool({ name: 'echo', arguments: { message } });
      if (/** @type {{ text?: string }[] | undefined} */ (r.content)?.[0]?.text !== message) throw new Error(`wrong answer: sent ${message}`);
    },
    close: () => s.close(),
  };
}

// The SDK client adds an abort listener per request on one signal per session (docs/benchmarks.md).
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'MaxListenersExceededWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});

const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(' ');
const agent = rawAgent();
/**
 * @type {{ id: string, proc: TargetProc, sessions: EchoSession[], samples: number[], calls: number, elapsed: number, ownUserMs: number, ownSysMs: number, childMs: number }[]}
 */
const targets = [];
try {
  for (const id of wanted) {
    const t = await /** @type {() => Promise<Target>} */ (makers[id])();
    /** @type {EchoSession[]} */
    const sessions = [];
    for (let i = 0; i < C; i++) sessions.push(t.url === undefined ? await t.open() : SDK ? await sdkSession(t.url) : (await RawSession.open(t.url, agent)).session);
    if (t.proc.pid !== undefined) process.stderr.write(`${id}: pid ${t.proc.pid}\n`);
    targets.push({ id, proc: t.proc, sessions, samples: [], calls: 0, elapsed: 0, ownUserMs: 0, ownSysMs: 0, childMs: 0 });
  }
  let seq = 0;
  /**
   * @param {(typeof targets)[number]} t
   * @param {number} durationMs
   * @param {boolean} record
   */
  const loop = async (t, durationMs, record) => {
    // direct: no process in between; what its server processes use is the "children" column.
    const rootPid = t.proc.pid;
    const own = rootPid === undefined ? [] : [rootPid];
    const children = rootPid === undefined ? t.sessions.flatMap((s) => (typeof s.pid === 'number' ? [s.pid] : [])) : processTree(rootPid).filter((p) => p !== rootPid);
    const own0 = cpuSplitOf(own);
    const child0 = cpuMsOf(children);
    const t0 = performance.now();
    const deadline = t0 + durationMs;
    let calls = 0;
    await Promise.all(t.sessions.map(async (s) => {
      while (performance.now() < deadline) {
        const c0 = performance.now();
        await s.echo(`h${++seq}`);
        if (record) t.samples.push(performance.now() - c0);
        calls++;
      }
    }));
    if (!record) return;
    t.elapsed += performance.now() - t0;
    t.calls += calls;
    const own1 = cpuSplitOf(own);
    t.ownUserMs += own1.user - own0.user;
    t.ownSysMs += own1.system - own0.system;
    t.childMs += cpuMsOf(children) - child0;
  };
  for (const t of targets) await loop(t, WARM_MS, false);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) await loop(t, (SECS * 1000) / ROUNDS, true);
  }
  for (const t of targets) await Promise.all(t.sessions.map((s) => s.close()));
} finally {
  agent.destroy();
  await Promise.all(targets.map((t) => t.proc.stop?.()));
}

const loadEnd = os.loadavg().map((x) => x.toFixed(2)).join(' ');
process.stdout.write(`hot path: ${SDK ? 'SDK StreamableHTTPClientTransport' : 'raw node:http'} client, ${C} session(s) per target, echo tools/call closed loop, ${SECS}s per target in ${ROUNDS} interleaved rounds; ` +
  `${os.availableParallelism()} CPUs, load average ${loadStart} at start, ${loadEnd} at end\n\n`);
process.stdout.write(`${table(
  ['target', 'calls', 'calls/s', 'p50 ms', 'p99 ms', 'µs CPU/call (process)', 'of which user / sys', 'µs CPU/call (its children)'],
  targets.map((t) => {
    const s = summarize(t.samples);
    const perCall = (/** @type {number} */ msTotal) => ((msTotal * 1000) / t.calls).toFixed(0);
    return [t.id, t.calls, ((t.calls / t.elapsed) * 1000).toFixed(0), ms(s.p50), ms(s.p99), perCall(t.ownUserMs + t.ownSysMs), `${perCall(t.ownUserMs)} / ${perCall(t.ownSysMs)}`, perCall(t.childMs)];
  }),
)}\n`);

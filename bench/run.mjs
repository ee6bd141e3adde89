#!/usr/bin/env node
// Side-by-side benchmark of the bridge against direct stdio and peer bridges (supergateway from npm,
// mcp-proxy from PyPI), all serving the same stdio server (test/fixtures/fixture-server.mjs, tool
// `echo`), driven by the official SDK clients. One run, interleaved where it can be, ratios printed.
//
//   npm run build && node bench/run.mjs [--quick] [--no-setup] [--targets id,id,...] [--json FILE]
//
// Phases: (1) latency of sequential tools/call on one session per target, interleaved in rounds;
// (2) throughput (closed loop, fixed duration) at 1/10/100 concurrent sessions, each its own client;
// memory per idle session measured inside the 100-session step (before load); (3) new-session time
// (initialize → first tools/call result) with warm pool 0 and N, on the fixture and server-everything.
// Results go to stdout (markdown tables); progress goes to stderr.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMsOf, memoryOf, processTree } from './lib/proc.mjs';
import { mib, ms, ratio, summarize, table } from './lib/stats.mjs';
import {
  BRIDGE_MAIN,
  MCP_PROXY_BIN,
  ROOT,
  SG_BIN,
  closeAll,
  openMany,
  openSession,
  peerVersions,
  startBridge,
  startHttpFloor,
  startMcpProxy,
  startSupergateway,
  startPrespawned,
} from './lib/targets.mjs';
import { RawSession, rawAgent } from './lib/raw-client.mjs';
import { existsSync } from 'node:fs';
/** @import { Proc } from './lib/proc.mjs' */
/** @import { ServerName, Session, SessionTarget } from './lib/targets.mjs' */
/** @import { Summary } from './lib/stats.mjs' */

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
  process.stdout.write('usage: node bench/run.mjs [--quick] [--no-setup] [--targets id,...] [--skip latency,throughput,coldstart] [--cold-samples N] [--json FILE]\n');
  process.exit(0);
}
const QUICK = flag('--quick');
const P = QUICK
  ? { latWarm: 100, latCalls: 400, latRounds: 4, tpLevels: [1, 10, 20], tpSecs: 1, tpWarmMs: 200, tpRounds: 2, memN: 10, coldSamples: 3, warmPool: 4 }
  : { latWarm: 200, latCalls: 2000, latRounds: 8, tpLevels: [1, 10, 100], tpSecs: 3, tpWarmMs: 500, tpRounds: 3, memN: 50, coldSamples: 8, warmPool: 4 };
if (opt('--cold-samples') !== undefined) P.coldSamples = Number(opt('--cold-samples'));
const CALL_TIMEOUT_MS = 15_000;
const MAX_ERRORS = 50;
const skip = new Set((opt('--skip') ?? '').split(',').filter(Boolean));
const onlyTargets = opt('--targets')?.split(',').filter(Boolean);

const log = (/** @type {unknown[]} */ ...a) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);
const out = (s = '') => process.stdout.write(`${s}\n`);
/**
 * The run's results (--json FILE writes them).
 * @typedef {{ ok: number, errors: number, wrong: number, samples: number[], elapsed: number, serverCpuMs: number, firstErrors: string[] }} Tally
 * @typedef {Summary & { errors: number, wrong: number, firstErrors: string[] }} LatencyRow
 * @typedef {LatencyRow & { callsPerSec: number, serverCpuUsPerCall: number, ok: number }} ThroughputRow
 * @typedef {ReturnType<typeof memoryOf>} Memory
 * @typedef {{ n: number, baseline: Memory, withSessions: Memory, rssPerSession: number, pssPerSession: number, processesPerSession: number, openSecs: number, processesAfterClose?: number }} MemoryRow
 * @typedef {Summary & { label: string, server: ServerName, initP50: number, errors: number }} ColdRow
 * @type {{ params: typeof P, quick: boolean, findings: string[], machine?: typeof machine, versions?: typeof versions, latency?: Record<string, LatencyRow>, throughput?: Record<number, Record<string, ThroughputRow>>, memory?: Record<string, MemoryRow>, coldstart?: ColdRow[] }}
 */
const results = { params: P, quick: QUICK, findings: [] };
const finding = (/** @type {string} */ text) => {
  log(`FINDING: ${text}`);
  results.findings.push(text);
};

// The SDK's StreamableHTTPClientTransport passes one AbortSignal to every fetch of a session and
// undici adds a listener to it per request (see docs/benchmarks.md): Node warns once per request past
// 1500. Say it once instead of thousands of times; print other warnings as usual.
process.removeAllListeners('warning');
let listenerWarned = false;
process.on('warning', (w) => {
  if (w.name === 'MaxListenersExceededWarning') {
    if (!listenerWarned) finding(`client side (SDK ${'StreamableHTTPClientTransport'} + undici): ${w.message} (printed once; the count keeps growing with every request on a session)`);
    listenerWarned = true;
    return;
  }
  process.stderr.write(`${w.name}: ${w.message}\n`);
});

// ---------------------------------------------------------------- setup
if (!existsSync(BRIDGE_MAIN)) {
  process.stderr.write(`bench: ${path.relative(ROOT, BRIDGE_MAIN)} is missing: run \`npm run build\` first\n`);
  process.exit(2);
}
if (!flag('--no-setup')) {
  log('installing peers (bench/setup-peers.sh) if missing');
  const r = spawnSync('bash', [path.join(ROOT, 'bench/setup-peers.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) log('setup-peers.sh failed; peers that are missing are skipped');
}
const versions = peerVersions();
const haveSg = existsSync(SG_BIN);
const haveMp = existsSync(MCP_PROXY_BIN);

/** @type {{ nproc: number, cpu: string, memGiB: string, node: string, loadStart: string, commit: string, date: string, loadEnd?: string, wallSecs?: string }} */
const machine = {
  nproc: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  loadStart: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
  date: new Date().toISOString(),
};
results.machine = machine;
results.versions = versions;

// ---------------------------------------------------------------- servers under test (fixture)
/** @type {Proc[]} */
const started = [];
/** Processes whose unexpected exit was already reported. */
const reported = new Set();
/**
 * @template {{ proc: Proc }} T
 * @param {Promise<T>} p
 */
async function track(p) {
  const s = await p;
  started.push(s.proc);
  return s;
}
async function stopAll() {
  await Promise.all(started.splice(0).map((p) => p.stop()));
}
process.on('SIGINT', () => {
  void stopAll().then(() => process.exit(130));
});

log('starting servers under test');
const bridge = await track(startBridge({ server: 'fixture' }));
const bridgeShared = await track(startBridge({ server: 'fixture', sessionMode: 'shared' }));
const sgHttp = haveSg ? await track(startSupergateway({ mode: 'http' })) : undefined;
const sgSse = haveSg ? await track(startSupergateway({ mode: 'sse' })) : undefined;
const mp = haveMp ? await track(startMcpProxy()) : undefined;
const floor = await track(startHttpFloor());

/**
 * Every target: how to open a session, and which process tree holds its server side.
 * @typedef {{ id: string, label: string, perSession?: boolean } & ({ transport: 'stdio', server: ServerName } | { transport: 'http' | 'sse', url: string, proc: Proc })} BenchTarget
 * @type {BenchTarget[]}
 */
const ALL_TARGETS = /** @type {(BenchTarget | undefined)[]} */ ([
  { id: 'direct', label: 'direct stdio (SDK stdio client)', transport: 'stdio', server: 'fixture', perSession: true },
  { id: 'http-floor', label: 'HTTP floor: node:http answering in process (no child)', transport: 'http', url: floor.url, proc: floor.proc },
  { id: 'bridge-http', label: 'bridge Streamable HTTP (per-session)', transport: 'http', url: bridge.url, proc: bridge.proc, perSession: true },
  { id: 'bridge-sse', label: 'bridge legacy SSE (per-session)', transport: 'sse', url: bridge.sseUrl, proc: bridge.proc, perSession: true },
  { id: 'bridge-shared', label: 'bridge Streamable HTTP (--session-mode shared)', transport: 'http', url: bridgeShared.url, proc: bridgeShared.proc },
  sgHttp && { id: 'sg-http', label: `supergateway ${versions.supergateway} Streamable HTTP --stateful`, transport: 'http', url: sgHttp.url, proc: sgHttp.proc, perSession: true },
  sgSse && { id: 'sg-sse', label: `supergateway ${versions.supergateway} SSE (one shared child)`, transport: 'sse', url: sgSse.sseUrl, proc: sgSse.proc },
  mp && { id: 'mcp-proxy-http', label: `mcp-proxy ${versions.mcpProxy} Streamable HTTP (shared child)`, transport: 'http', url: mp.url, proc: mp.proc },
  mp && { id: 'mcp-proxy-sse', label: `mcp-proxy ${versions.mcpProxy} SSE (shared child)`, transport: 'sse', url: mp.sseUrl, proc: mp.proc },
]).filter((t) => t !== undefined);
const TARGETS = onlyTargets ? ALL_TARGETS.filter((t) => onlyTargets.includes(t.id)) : ALL_TARGETS;

/** @param {string} phase */
function checkAlive(phase) {
  for (const p of started) {
    if (p.exited && !p.stopping && !reported.has(p)) {
      reported.add(p);
      finding(`${p.name} exited unexpectedly during ${phase}: ${JSON.stringify(p.exited)}; last output:\n${p.tail.slice(-10).join('\n')}`);
    }
  }
}

// ---------------------------------------------------------------- the call
let msgSeq = 0;
/**
 * One echo tools/call; returns latency in ms; throws on error or a wrong answer.
 * @param {Session} session
 * @param {ServerName} [server]
 */
async function echo(session, server = 'fixture') {
  const message = `m${++msgSeq}`;
  const t0 = performance.now();
  const r = await session.client.callTool({ name: 'echo', arguments: { message } }, undefined, { timeout: CALL_TIMEOUT_MS });
  const dt = performance.now() - t0;
  const text = /** @type {{ text?: string }[] | undefined} */ (r?.content)?.[0]?.text;
  // server-everything's echo answers "Echo: <message>".
  if (text !== (server === 'everything' ? `Echo: ${message}` : message)) {
    throw Object.assign(new Error(`wrong answer: sent ${message}, got ${JSON.stringify(text)}`), { wrongAnswer: true });
  }
  return dt;
}

/** @returns {Tally} */
function newTally() {
  return { ok: 0, errors: 0, wrong: 0, samples: [], elapsed: 0, serverCpuMs: 0, firstErrors: [] };
}
/**
 * @param {Tally} tally
 * @param {unknown} err
 */
function noteError(tally, err) {
  const e = /** @type {{ wrongAnswer?: boolean, message?: string } | null | undefined} */ (err);
  if (e?.wrongAnswer) tally.wrong++;
  else tally.errors++;
  if (tally.firstErrors.length < 3) tally.firstErrors.push(String(e?.message ?? err).slice(0, 200));
}

/**
 * Closed loop: every session calls echo back to back until durationMs has passed. With `target`, also
 * adds the CPU time its server side (bridge/peer process and children, or the direct children) used.
 * @param {Session[]} sessions
 * @param {number} durationMs
 * @param {Tally} [tally]
 * @param {BenchTarget} [target]
 */
async function closedLoop(sessions, durationMs, tally = newTally(), target = undefined) {
  const pids = target ? serverPids(target, sessions) : [];
  const cpu0 = cpuMsOf(pids);
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  await Promise.all(
    sessions.map(async (s) => {
      while (performance.now() < deadline && tally.errors + tally.wrong < MAX_ERRORS) {
        try {
          tally.samples.push(await echo(s));
          tally.ok++;
        } catch (err) {
          noteError(tally, err);
        }
      }
    }),
  );
  tally.elapsed += performance.now() - t0;
  tally.serverCpuMs += cpuMsOf(pids) - cpu0;
  return tally;
}

// ---------------------------------------------------------------- phase 1: latency
async function phaseLatency() {
  log(`latency: ${P.latCalls} sequential echo calls per target after ${P.latWarm} warm-up, ${P.latRounds} interleaved rounds`);
  /** @type {Map<string, Session>} */
  const sessions = new Map();
  for (const t of TARGETS) {
    try {
      const session = await openSession(t);
      sessions.set(t.id, session);
      for (let i = 0; i < P.latWarm; i++) await echo(session);
    } catch (err) {
      finding(`latency: ${t.id}: session or warm-up failed: ${errorMessage(err)}`);
      sessions.delete(t.id);
    }
  }
  const tallies = new Map([...sessions.keys()].map((id) => [id, newTally()]));
  const perRound = Math.ceil(P.latCalls / P.latRounds);
  for (let r = 0; r < P.latRounds; r++) {
    const order = [...sessions];
    if (r % 2 === 1) order.reverse();
    for (const [id, session] of order) {
      const tally = tallies.get(id) ?? newTally(); // every id of sessions has its tally
      for (let i = 0; i < perRound && tally.errors + tally.wrong < MAX_ERRORS; i++) {
        try {
          tally.samples.push(await echo(session));
          tally.ok++;
        } catch (err) {
          noteError(tally, err);
        }
      }
    }
  }
  await closeAll([...sessions.values()]);
  checkAlive('latency');
  results.latency = Object.fromEntries([...tallies].map(([id, t]) => [id, { ...summarize(t.samples), errors: t.errors, wrong: t.wrong, firstErrors: t.firstErrors }]));
}

/** @param {unknown} err */
function errorMessage(err) {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------- phase 2: throughput (+ memory)
/**
 * @param {BenchTarget} target
 * @param {Session[]} sessions
 */
function serverPids(target, sessions) {
  if (target.transport === 'stdio') return sessions.flatMap((s) => (s.pid ? processTree(s.pid) : []));
  return processTree(target.proc.pid);
}

/**
 * c ≤ 10: sessions of every target open at once, measured in interleaved rounds.
 * @param {number} c
 * @returns {Promise<Record<string, Tally>>}
 */
async function throughputInterleaved(c) {
  log(`throughput c=${c}: ${P.tpSecs}s per target in ${P.tpRounds} interleaved rounds`);
  /** @type {Map<string, { target: BenchTarget, sessions: Session[], tally: Tally }>} */
  const open = new Map();
  for (const t of TARGETS) {
    try {
      const sessions = await openMany(t, c);
      open.set(t.id, { target: t, sessions, tally: newTally() });
      await closedLoop(sessions, P.tpWarmMs);
    } catch (err) {
      finding(`throughput c=${c}: ${t.id}: opening ${c} sessions failed: ${errorMessage(err)}`);
    }
  }
  for (let r = 0; r < P.tpRounds; r++) {
    const order = [...open.values()];
    if (r % 2 === 1) order.reverse();
    for (const o of order) await closedLoop(o.sessions, (P.tpSecs * 1000) / P.tpRounds, o.tally, o.target);
  }
  for (const o of open.values()) await closeAll(o.sessions);
  checkAlive(`throughput c=${c}`);
  return Object.fromEntries([...open].map(([id, o]) => [id, o.tally]));
}

/**
 * The large step: one target at a time (hundreds of processes at once would not fit). Memory first.
 * @param {number} c
 * @returns {Promise<Record<string, Tally>>}
 */
async function throughputSequential(c) {
  log(`throughput c=${c}: one target at a time, ${P.tpSecs}s each; memory at ${P.memN} idle sessions first`);
  /** @type {Record<string, Tally>} */
  const tallies = {};
  const memory = (results.memory ??= {});
  for (const t of TARGETS) {
    /** @type {Session[]} */
    const sessions = [];
    try {
      const baseline = t.transport === 'stdio' ? { rss: 0, pss: 0, processes: 0 } : memoryOf(serverPids(t, []));
      const t0 = performance.now();
      sessions.push(...(await openMany(t, Math.min(P.memN, c))));
      const openMs = performance.now() - t0;
      await sleep(1000);
      const loaded = memoryOf(serverPids(t, sessions));
      const n = sessions.length;
      memory[t.id] = {
        n,
        baseline,
        withSessions: loaded,
        rssPerSession: (loaded.rss - baseline.rss) / n,
        pssPerSession: (loaded.pss - baseline.pss) / n,
        processesPerSession: (loaded.processes - baseline.processes) / n,
        openSecs: openMs / 1000,
      };
      if (t.id === 'bridge-shared' && loaded.processes - baseline.processes > 1) {
        finding(`bridge --session-mode shared: ${loaded.processes - baseline.processes} new processes for ${n} sessions (expected none: one shared server process)`);
      }
      log(`  ${t.id}: ${n} sessions opened in ${(openMs / 1000).toFixed(1)}s; +${mib(loaded.rss - baseline.rss)} MiB RSS`);
      if (c > sessions.length) sessions.push(...(await openMany(t, c - sessions.length)));
      await closedLoop(sessions, P.tpWarmMs);
      tallies[t.id] = await closedLoop(sessions, P.tpSecs * 1000, newTally(), t);
    } catch (err) {
      finding(`throughput c=${c}: ${t.id}: ${errorMessage(err)}`);
    } finally {
      await closeAll(sessions);
    }
    // Leak check: the server side should be back to its own baseline of processes.
    const measured = memory[t.id];
    if (t.transport !== 'stdio' && measured) {
      await sleep(QUICK ? 1000 : 2000);
      const after = memoryOf(serverPids(t, []));
      measured.processesAfterClose = after.processes;
      if (after.processes > measured.baseline.processes) {
        finding(`${t.id}: ${after.processes - measured.baseline.processes} server processes still alive 2 s after all ${c} sessions were closed (baseline ${measured.baseline.processes})`);
      }
    }
    checkAlive(`throughput c=${c} (${t.id})`);
  }
  return tallies;
}

async function phaseThroughput() {
  /** @type {Record<number, Record<string, ThroughputRow>>} */
  const throughput = {};
  results.throughput = throughput;
  for (const c of P.tpLevels) {
    const tallies = c <= 10 ? await throughputInterleaved(c) : await throughputSequential(c);
    const level = (throughput[c] = Object.fromEntries(
      Object.entries(tallies).map(([id, t]) => [id, { callsPerSec: (t.ok / t.elapsed) * 1000, serverCpuUsPerCall: (t.serverCpuMs * 1000) / t.ok, ok: t.ok, errors: t.errors, wrong: t.wrong, ...summarize(t.samples), firstErrors: t.firstErrors }]),
    ));
    for (const [id, r] of Object.entries(level)) {
      if (r.errors + r.wrong > 0) finding(`throughput c=${c}: ${id}: ${r.errors} errors, ${r.wrong} wrong answers; first: ${r.firstErrors.join(' | ')}`);
    }
  }
}

// ---------------------------------------------------------------- phase 3: new-session time
/**
 * Samples new sessions on one server under test. `clients`: 'sdk' (the SDK client: connect, then
 * callTool) and/or 'raw' (bench/lib/raw-client.mjs: POST initialize, POST notifications/initialized,
 * POST tools/call on a keep-alive agent), alternated sample by sample so both see the same minutes;
 * one result row per client. The difference between the two rows is the SDK client's own cost.
 * @typedef {'sdk' | 'raw'} ColdClient
 * @typedef {SessionTarget | { transport: 'raw-prespawned', waitMs: number }} ColdTarget
 * @typedef {{ proc?: Proc, target: ColdTarget, settleMs?: number }} ColdServer
 * @typedef {[label: string, make: () => Promise<ColdServer>, gapMs: number, clients?: ColdClient[]]} ColdConfig
 * @param {string} label
 * @param {ServerName} server
 * @param {() => Promise<ColdServer>} make
 * @param {number} gapMs
 * @param {ColdClient[]} [clients]
 * @returns {Promise<ColdRow[]>}
 */
async function coldConfig(label, server, make, gapMs, clients = ['sdk']) {
  /** @type {ColdServer | undefined} */
  let srv;
  /** @type {[ColdClient, { samples: number[], inits: number[], errors: string[] }][]} */
  const rows = clients.map((c) => [c, { samples: [], inits: [], errors: [] }]);
  const agent = rawAgent();
  try {
    srv = await make();
    const target = srv.target;
    await sleep(srv.settleMs ?? 300);
    for (let i = 0; i < P.coldSamples; i++) {
      for (const [client, row] of rows) {
        await sleep(gapMs);
        /** @type {{ close(): Promise<unknown> } | undefined} */
        let s;
        try {
          if (target.transport === 'raw-prespawned') {
            // Floor for a pool that only pre-spawns: a process started 1.5 s ago, spoken to with raw
            // JSON-RPC lines (no SDK client, no HTTP).
            const p = await startPrespawned(server, target.waitMs);
            s = { close: () => p.close() };
            const t = await p.initializeAndEcho();
            row.inits.push(t.init);
            row.samples.push(t.total);
            continue;
          }
          const t0 = performance.now();
          if (client === 'raw') {
            if (target.transport !== 'http') throw new Error(`the raw client speaks Streamable HTTP only, not ${target.transport}`);
            const raw = (await RawSession.open(target.url, agent)).session;
            s = raw;
            row.inits.push(performance.now() - t0);
            await raw.echo(`cold${i}`);
          } else {
            const session = await openSession(target);
            s = session;
            row.inits.push(performance.now() - t0);
            await echo(session, server);
          }
          row.samples.push(performance.now() - t0);
        } catch (err) {
          row.errors.push(errorMessage(err));
        } finally {
          await s?.close();
        }
      }
    }
  } catch (err) {
    rows[0]?.[1].errors.push(errorMessage(err));
  } finally {
    agent.destroy();
    await srv?.proc?.stop();
  }
  return rows.map(([client, { samples, inits, errors }]) => {
    const rowLabel = clients.length > 1 || client === 'raw' ? `${label} (${client === 'raw' ? 'raw HTTP client' : 'SDK client'})` : label;
    if (errors.length > 0) finding(`new-session ${rowLabel} (${server}): ${errors.length} failures; first: ${String(errors[0]).slice(0, 300)}`);
    return { label: rowLabel, server, ...summarize(samples), initP50: summarize(inits).p50, errors: errors.length };
  });
}

async function phaseColdStart() {
  /** @type {ColdRow[]} */
  const coldstart = [];
  results.coldstart = coldstart;
  const pool = P.warmPool;
  for (const server of /** @type {ServerName[]} */ (QUICK ? ['fixture'] : ['fixture', 'everything'])) {
    const warmGap = server === 'fixture' ? 1000 : 1500;
    log(`new-session time (${server}): ${P.coldSamples} sessions per config, initialize → first tools/call result`);
    /** @type {(ColdConfig | false)[]} */
    const configs = [
      ['direct stdio (spawn + initialize)', async () => ({ target: { transport: 'stdio', server } }), 200],
      server === 'fixture' && ['HTTP floor: new session on node:http answering in process', async () => {
        const f = await startHttpFloor();
        return { proc: f.proc, target: { transport: 'http', url: f.url } };
      }, 200, ['sdk', 'raw']],
      ['pre-spawned process, raw stdio JSON-RPC (floor of a spawn-only pool)', async () => ({ target: { transport: 'raw-prespawned', waitMs: warmGap } }), 0],
      ['bridge HTTP, warm pool 0', async () => {
        const b = await startBridge({ server });
        return { proc: b.proc, target: { transport: 'http', url: b.url } };
      }, 200],
      [`bridge HTTP, warm pool ${pool}`, async () => {
        const b = await startBridge({ server, warmPool: pool });
        return { proc: b.proc, target: { transport: 'http', url: b.url }, settleMs: 2500 };
      }, warmGap, ['sdk', 'raw']],
      [`bridge HTTP, warm pool ${pool} --warm-pool-initialize`, async () => {
        const b = await startBridge({ server, warmPool: pool, extraArgs: ['--warm-pool-initialize'] });
        return { proc: b.proc, target: { transport: 'http', url: b.url }, settleMs: 2500 };
      }, warmGap, ['sdk', 'raw']],
      ['bridge HTTP, --session-mode shared', async () => {
        const b = await startBridge({ server, sessionMode: 'shared' });
        return { proc: b.proc, target: { transport: 'http', url: b.url }, settleMs: 1500 };
      }, 200, ['sdk', 'raw']],
      server === 'fixture' && [`bridge SSE, warm pool ${pool}`, async () => {
        const b = await startBridge({ server, warmPool: pool });
        return { proc: b.proc, target: { transport: 'sse', url: b.sseUrl }, settleMs: 3000 };
      }, warmGap],
      haveSg && ['supergateway HTTP --stateful', async () => {
        const g = await startSupergateway({ server, mode: 'http' });
        return { proc: g.proc, target: { transport: 'http', url: g.url } };
      }, 200],
      haveMp && ['mcp-proxy HTTP (shared child, already up)', async () => {
        const m = await startMcpProxy({ server });
        return { proc: m.proc, target: { transport: 'http', url: m.url }, settleMs: 2000 };
      }, 200],
    ];
    for (const config of configs) {
      if (config === false) continue;
      const [label, make, gap, clients] = config;
      coldstart.push(...(await coldConfig(label, server, make, gap, clients)));
    }
  }
}

// ---------------------------------------------------------------- run
const tStart = performance.now();
try {
  if (!skip.has('latency')) await phaseLatency();
  if (!skip.has('throughput')) await phaseThroughput();
} finally {
  await stopAll();
}
if (!skip.has('coldstart')) await phaseColdStart();
machine.loadEnd = os.loadavg().map((x) => x.toFixed(2)).join(' ');
machine.wallSecs = ((performance.now() - tStart) / 1000).toFixed(0);

// ---------------------------------------------------------------- report
const label = (/** @type {string} */ id) => ALL_TARGETS.find((t) => t.id === id)?.label ?? id;
out(`## Benchmark run${QUICK ? ' (--quick)' : ''}`);
out();
out(`- machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memGiB} GiB RAM, shared with other workloads; load average ${machine.loadStart} at start, ${machine.loadEnd} at end; run took ${machine.wallSecs}s`);
out(`- node ${machine.node}; @modelcontextprotocol/sdk ${versions.sdk}; supergateway ${versions.supergateway ?? 'not installed'}; mcp-proxy ${versions.mcpProxy ?? 'not installed'} (python mcp ${versions.mcpPythonSdk ?? '—'}); repo ${machine.commit}; ${machine.date}`);
out(`- stdio server: node test/fixtures/fixture-server.mjs, tool echo {message}; every answer checked`);
out();

const direct = results.latency?.direct;
if (results.latency) {
  out(`### 1. Latency: sequential tools/call echo, one session (${P.latCalls} calls after ${P.latWarm} warm-up, ${P.latRounds} interleaved rounds), ms`);
  out();
  const rows = Object.entries(results.latency).map(([id, r]) => [
    label(id),
    ms(r.p50),
    ms(r.p90),
    ms(r.p99),
    ms(r.mean),
    direct ? ms(r.p50 - direct.p50) : '—',
    direct ? ratio(r.p50, direct.p50) : '—',
    r.errors + r.wrong,
  ]);
  out(table(['target', 'p50', 'p90', 'p99', 'mean', 'p50 - direct', 'p50 / direct', 'errors'], rows));
  out();
}
const throughput = results.throughput;
if (throughput) {
  out(`### 2. Throughput: calls/s, closed loop, each session its own SDK client (${P.tpSecs}s measured per target and level; c ≤ 10 interleaved in ${P.tpRounds} rounds, c > 10 one target at a time)`);
  out();
  const ids = TARGETS.map((t) => t.id).filter((id) => P.tpLevels.some((c) => throughput[c]?.[id]));
  const sg = (/** @type {number} */ c) => throughput[c]?.['sg-http']?.callsPerSec;
  const rows = ids.map((id) => {
    const row = [label(id)];
    for (const c of P.tpLevels) {
      const r = throughput[c]?.[id];
      const g = sg(c);
      row.push(r ? `${r.callsPerSec.toFixed(0)}${r.errors + r.wrong > 0 ? ` (${r.errors + r.wrong} err)` : ''}` : 'failed');
      row.push(r ? ms(r.p99, 1) : '—');
      row.push(r && g ? ratio(r.callsPerSec, g) : '—');
    }
    return row;
  });
  out(table(['target', ...P.tpLevels.flatMap((c) => [`c=${c} calls/s`, `c=${c} p99 ms`, `c=${c} vs sg-http`])], rows));
  out();
  out('Server-side CPU per call: CPU time (user+system, from /proc) of the bridge/peer process and all its children (for direct stdio: the server processes) during the measured loops, divided by the calls answered. Independent of the load generator sharing the cores; lower is better.');
  out();
  const sgCpu = (/** @type {number} */ c) => throughput[c]?.['sg-http']?.serverCpuUsPerCall;
  const cpuRows = ids.map((id) => [
    label(id),
    ...P.tpLevels.flatMap((c) => {
      const r = throughput[c]?.[id];
      const g = sgCpu(c);
      return [r && Number.isFinite(r.serverCpuUsPerCall) ? r.serverCpuUsPerCall.toFixed(0) : '—', r && g ? ratio(g, r.serverCpuUsPerCall) : '—'];
    }),
  ]);
  out(table(['target', ...P.tpLevels.flatMap((c) => [`c=${c} µs CPU/call`, `c=${c} sg-http ÷ this`])], cpuRows));
  out();
}
if (results.memory) {
  out(`### 3. Memory per idle session (${P.memN} sessions opened, initialized, idle 1 s; server process + all children, from /proc)`);
  out();
  const rows = Object.entries(results.memory).map(([id, m]) => [
    label(id),
    mib(m.baseline.rss),
    mib(m.withSessions.rss),
    mib(m.rssPerSession),
    mib(m.pssPerSession),
    m.processesPerSession.toFixed(2),
    m.openSecs.toFixed(1),
    m.processesAfterClose ?? '—',
  ]);
  out(table(['target', 'RSS before MiB', `RSS with ${P.memN} MiB`, 'RSS/session MiB', 'PSS/session MiB', 'procs/session', `open ${P.memN} s`, 'procs after close'], rows));
  out();
}
if (results.coldstart) {
  out(`### 4. New session: initialize → first tools/call result (${P.coldSamples} sessions per config, one after another; warm-pool configs wait for the pool to refill between sessions), ms`);
  out();
  out(table(['server', 'config', 'p50', 'p90', 'max', 'initialize p50', 'failures'], results.coldstart.map((r) => [r.server, r.label, ms(r.p50, 1), ms(r.p90, 1), ms(r.max, 1), ms(r.initP50, 1), r.errors])));
  out();
}

// Targets.
out('### Targets');
out();
const verdict = (/** @type {boolean | undefined} */ ok) => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL');
const tRows = [];
if (results.latency?.['bridge-http'] && direct) {
  const over = results.latency['bridge-http'].p50 - direct.p50;
  tRows.push(['bridge overhead over direct stdio, p50 ≤ 0.2 ms', `${ms(over)} ms (${ms(results.latency['bridge-http'].p50)} vs ${ms(direct.p50)})`, verdict(over <= 0.2)]);
}
for (const c of P.tpLevels) {
  const b = results.throughput?.[c]?.['bridge-http'];
  const g = results.throughput?.[c]?.['sg-http'];
  if (b && g) {
    tRows.push([`throughput ≥ 3x supergateway (Streamable HTTP), c=${c}`, `${ratio(b.callsPerSec, g.callsPerSec)} (${b.callsPerSec.toFixed(0)} vs ${g.callsPerSec.toFixed(0)} calls/s)`, verdict(b.callsPerSec >= 3 * g.callsPerSec)]);
    tRows.push([`  same, by server CPU per call (capacity), c=${c}`, `${ratio(g.serverCpuUsPerCall, b.serverCpuUsPerCall)} (${b.serverCpuUsPerCall.toFixed(0)} vs ${g.serverCpuUsPerCall.toFixed(0)} µs/call)`, verdict(g.serverCpuUsPerCall >= 3 * b.serverCpuUsPerCall)]);
  }
}
for (const r of results.coldstart ?? []) {
  if (r.label.startsWith(`bridge HTTP, warm pool ${P.warmPool}`)) tRows.push([`new session with warm pool p50 ≤ 5 ms (${r.server}): ${r.label.slice('bridge HTTP, '.length)}`, `${ms(r.p50, 1)} ms`, verdict(r.p50 <= 5)]);
}
out(table(['target', 'measured', 'verdict'], tRows));
out();
if (results.findings.length > 0) {
  out('### Findings during the run');
  out();
  for (const f of results.findings) out(`- ${f.replace(/\n/g, '\n  ')}`);
  out();
}
const jsonOut = opt('--json');
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);

#!/usr/bin/env node
// LiteLLM's tool call in both protocol eras, side by side. One operation = what LiteLLM sends the
// upstream per tool call:
//   2025 pattern   a new session each time: POST initialize, POST notifications/initialized,
//                  POST tools/call, DELETE (what issue 5's bench/litellm-pattern.mjs measures, here on
//                  the raw client); "as LiteLLM 1.110.2 sends it" adds the GET stream its Python SDK
//                  opens after initialize and the tools/list it sends after the call (output check)
//   modern         one POST tools/call with the 2026-07-28 `_meta` (protocolVersion, clientInfo,
//                  clientCapabilities) and MCP-Protocol-Version / Mcp-Method / Mcp-Name headers;
//                  "as LiteLLM 1.110.2 sends it" (protocol_version: "2026-07-28") is server/discover,
//                  tools/list, tools/call, each such a POST
//   reference      tools/call echo on a 2025 session opened once before (the cheapest call there is)
// against the bridge (shared; per-session; per-session with a warm pool) and mcp-proxy from npm
// (punkpeye, serving 2026-07-28 clients in front of the same 2025-era stdio server), all on the fixture
// server's echo. Raw node:http client with a keep-alive agent (bench/lib/raw-client.mjs), so the numbers
// are the server side's, not a client library's. Every answer is checked.
//
//   npm run build && node bench/litellm-eras.mjs [--quick] [--no-setup] [--targets id,...] [--ops id,...]
//                                                [--json FILE] [--chart FILE.svg]
//
// Phases: (1) sequential operations, interleaved in rounds across every (target, operation) cell:
// p50/p90/p99 and operations per second (1000 / mean); (2) closed loop with 10 concurrent workers per
// cell: operations/s, p99 and the server side's CPU per operation. Then ratios against the targets
// (docs/benchmarks.md): modern ≤ 1.5x an open-session call, and ≥ 5x faster than the 2025 pattern.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chartAvailable, renderVegaLiteSvg } from './lib/chart.mjs';
import { treeCpuMs } from './lib/proc.mjs';
import { litellmInstalled, startLitellmProxy } from './lib/litellm-proxy.mjs';
import { ModernClient, RawSession, openGetStream, rawAgent } from './lib/raw-client.mjs';
import { ms, ratio, summarize, table } from './lib/stats.mjs';
import { BRIDGE_MAIN, MCP_PROXY_NPM_BIN, ROOT, peerVersions, startBridge, startMcpProxyNpm } from './lib/targets.mjs';
/** @import { Agent } from 'node:http' */
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
  process.stdout.write('usage: node bench/litellm-eras.mjs [--quick] [--no-setup] [--targets id,...] [--ops id,...] [--json FILE] [--chart FILE.svg]\n');
  process.exit(0);
}
const QUICK = flag('--quick');
const P = QUICK
  ? { warm: 20, rounds: 4, seqOps: 200, seqMs: 4000, concurrency: 10, tpSecs: 1, tpRounds: 2, warmPool: 4, litellmOps: 20 }
  : { warm: 50, rounds: 8, seqOps: 800, seqMs: 12000, concurrency: 10, tpSecs: 3, tpRounds: 3, warmPool: 4, litellmOps: 80 };
const MAX_ERRORS = 5;

const log = (/** @type {unknown[]} */ ...a) => process.stderr.write(`[litellm-eras ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);
const out = (s = '') => process.stdout.write(`${s}\n`);
/** @type {string[]} */
const findings = [];
const finding = (/** @type {string} */ text) => {
  log(`FINDING: ${text}`);
  findings.push(text);
};

if (!existsSync(BRIDGE_MAIN)) {
  process.stderr.write(`litellm-eras: ${path.relative(ROOT, BRIDGE_MAIN)} is missing: run \`npm run build\` first\n`);
  process.exit(2);
}
if (!flag('--no-setup')) {
  log('installing peers and the chart renderer (bench/setup-peers.sh) if missing');
  const r = spawnSync('bash', [path.join(ROOT, 'bench/setup-peers.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) log('setup-peers.sh failed; what is missing is skipped');
}
const versions = peerVersions();

// ---------------------------------------------------------------- operations
let seq = 0;
const message = () => `m${++seq}`;

/**
 * Each operation: (target, agent, state) → resolves when done, throws on any wrong answer. state is what
 * setup made (operations with a setup), per cell and per worker.
 * @typedef {{ session: RawSession } | undefined} OpState
 * @typedef {object} Op
 * @property {string} id
 * @property {string} label
 * @property {string} short
 * @property {number} requests HTTP requests per operation
 * @property {(t: Target, agent: Agent) => Promise<OpState>} [setup]
 * @property {(t: Target, agent: Agent, state?: OpState) => Promise<void>} run
 * @property {(state: NonNullable<OpState>) => Promise<void>} [teardown]
 */
/** @type {Op[]} */
const OPS = [
  {
    id: 'echo-open',
    label: 'reference: tools/call on an open 2025 session',
    short: 'reference: call on open session',
    requests: 1,
    async setup(t, agent) {
      return { session: (await RawSession.open(t.url, agent)).session };
    },
    run: async (t, agent, state) => {
      if (state === undefined) throw new Error('echo-open: no session (its setup did not run)');
      await state.session.echo(message());
    },
    teardown: (state) => state.session.close(),
  },
  {
    id: 'op-2025',
    label: '2025 pattern: initialize + initialized + tools/call + DELETE',
    short: '2025: init + call + DELETE',
    requests: 4,
    async run(t, agent) {
      const { session } = await RawSession.open(t.url, agent);
      try {
        await session.echo(message());
      } finally {
        await session.close();
      }
    },
  },
  {
    id: 'op-2025-litellm',
    label: '2025 as LiteLLM 1.110.2 sends it: + GET stream + tools/list after the call',
    short: '2025 as LiteLLM sends it',
    requests: 6,
    async run(t, agent) {
      const { session } = await RawSession.open(t.url, agent);
      /** @type {{ status: number | undefined, close(): void } | undefined} */
      let stream;
      try {
        stream = await openGetStream(t.url, agent, session.headers);
        if (stream.status !== 200) throw new Error(`GET stream: HTTP ${stream.status}`);
        await session.echo(message());
        await session.call('tools/list', {});
      } finally {
        await session.close();
        stream?.close();
      }
    },
  },
  {
    id: 'op-modern',
    label: 'modern: one POST tools/call (2026-07-28 _meta + headers)',
    short: 'modern: one POST',
    requests: 1,
    run: (t, agent) => new ModernClient(t.url, agent).echo(message()),
  },
  {
    id: 'op-modern-litellm',
    label: 'modern as LiteLLM 1.110.2 sends it: server/discover + tools/list + tools/call',
    short: 'modern as LiteLLM sends it',
    requests: 3,
    async run(t, agent) {
      const client = new ModernClient(t.url, agent);
      await client.call('server/discover', {});
      /** @type {{ tools?: { name: string }[] }} */
      const list = await client.call('tools/list', {});
      if (!list.tools?.some((tool) => tool.name === 'echo')) throw new Error('tools/list (2026-07-28): no echo tool');
      await client.echo(message());
    },
  },
];

// ---------------------------------------------------------------- targets
/**
 * @typedef {{ id: string, label: string, start: () => Promise<Target> }} TargetDef
 * @typedef {TargetDef & Target} Running a target that started
 * @type {TargetDef[]}
 */
const TARGET_DEFS = /** @type {(TargetDef | false)[]} */ ([
  { id: 'bridge-shared', label: 'bridge --session-mode shared', start: () => startBridge({ sessionMode: 'shared' }) },
  { id: 'bridge-per-session', label: 'bridge per-session (warm pool 0)', start: () => startBridge({}) },
  { id: 'bridge-per-session-wp', label: `bridge per-session --warm-pool ${P.warmPool}`, start: () => startBridge({ warmPool: P.warmPool }) },
  existsSync(MCP_PROXY_NPM_BIN) && { id: 'mcp-proxy-npm', label: `mcp-proxy ${versions.mcpProxyNpm} (npm, one shared child)`, start: () => startMcpProxyNpm() },
]).filter((t) => t !== false);
const onlyTargets = opt('--targets')?.split(',').filter(Boolean);
const onlyOps = opt('--ops')?.split(',').filter(Boolean);
const TARGETS = onlyTargets ? TARGET_DEFS.filter((t) => onlyTargets.includes(t.id)) : TARGET_DEFS;
const CELL_OPS = onlyOps ? OPS.filter((o) => onlyOps.includes(o.id)) : OPS;
if (!existsSync(MCP_PROXY_NPM_BIN)) finding('mcp-proxy (npm) is not installed: its rows are left out (run bench/setup-peers.sh)');

/** @type {{ nproc: number, cpu: string, node: string, loadStart: string, commit: string, date: string, loadEnd?: string, wallSecs?: string }} */
const machine = {
  nproc: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  loadStart: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
  date: new Date().toISOString(),
};

/** @type {Running[]} */
const running = [];
/**
 * Every target that started (running is emptied by stopAll).
 * @type {Running[]}
 */
const started = [];
async function stopAll() {
  await Promise.all(running.splice(0).map((t) => t.proc.stop()));
}
process.on('SIGINT', () => {
  void stopAll().then(() => process.exit(130));
});

/**
 * A (target, operation) pair with its samples; tp: the closed loop's (phase 2).
 * @typedef {{ ok: number, errors: number, samples: number[], elapsed: number, cpuMs: number }} Throughput
 * @typedef {{ target: Running, op: Op, samples: number[], errors: number, firstError: string | undefined, failed: boolean, state: OpState, tp: Throughput }} Cell
 * @param {Running} t
 * @param {Op} op
 * @returns {Cell}
 */
function newCell(t, op) {
  return { target: t, op, samples: [], errors: 0, firstError: undefined, failed: false, state: undefined, tp: { ok: 0, errors: 0, samples: [], elapsed: 0, cpuMs: 0 } };
}
/** @param {unknown} err an Error or anything thrown */
function errorText(err) {
  const message = typeof err === 'object' && err !== null && 'message' in err ? err.message : undefined;
  return String(message ?? err).slice(0, 300);
}
/**
 * @param {Cell} cell
 * @param {unknown} err
 */
function noteError(cell, err) {
  cell.errors++;
  cell.firstError ??= errorText(err);
  if (cell.errors >= MAX_ERRORS) cell.failed = true;
}

/**
 * @param {Cell} cell
 * @param {Agent} agent
 */
async function timed(cell, agent) {
  const t0 = performance.now();
  await cell.op.run(cell.target, agent, cell.state);
  return performance.now() - t0;
}

// ---------------------------------------------------------------- run
const agent = rawAgent();
/** @type {Cell[]} */
const cells = [];
/** @type {(import('./lib/stats.mjs').Summary & { target: string, targetLabel: string, era: string, short: string, errors: number, firstError: string | undefined })[]} */
const litellmRows = [];
const tStart = performance.now();
try {
  log(`starting ${TARGETS.length} targets`);
  for (const def of TARGETS) {
    try {
      const s = await def.start();
      running.push({ ...def, ...s });
      started.push({ ...def, ...s });
    } catch (err) {
      finding(`${def.id}: did not start: ${errorText(err)}`);
    }
  }
  for (const t of running) {
    for (const op of CELL_OPS) {
      const cell = newCell(t, op);
      try {
        cell.state = await op.setup?.(t, agent);
        for (let i = 0; i < P.warm && !cell.failed; i++) {
          try {
            await timed(cell, agent);
          } catch (err) {
            noteError(cell, err);
          }
        }
        if (t.id === 'bridge-per-session-wp') await settlePool();
      } catch (err) {
        noteError(cell, err);
        cell.failed = true;
      }
      if (cell.failed) finding(`${t.id} / ${op.id}: fails: ${cell.firstError}`);
      cell.errors = 0;
      cells.push(cell);
    }
  }

  // Phase 1: sequential, interleaved in rounds (the order reversed every other round).
  log(`sequential: up to ${P.seqOps} operations or ${P.seqMs / 1000} s per cell, in ${P.rounds} interleaved rounds`);
  for (let r = 0; r < P.rounds; r++) {
    const order = r % 2 === 0 ? cells : [...cells].reverse();
    for (const cell of order) {
      if (cell.failed) continue;
      const deadline = performance.now() + P.seqMs / P.rounds;
      for (let i = 0; i < P.seqOps / P.rounds && performance.now() < deadline && !cell.failed; i++) {
        try {
          cell.samples.push(await timed(cell, agent));
        } catch (err) {
          noteError(cell, err);
        }
      }
      if (cell.target.id === 'bridge-per-session-wp') await settlePool();
    }
  }

  // Phase 2: closed loop, P.concurrency workers per cell.
  log(`throughput: ${P.concurrency} concurrent workers, ${P.tpSecs} s per cell in ${P.tpRounds} rounds`);
  for (let r = 0; r < P.tpRounds; r++) {
    const order = r % 2 === 0 ? cells : [...cells].reverse();
    for (const cell of order) {
      if (cell.failed) continue;
      const workers = await Promise.all(
        Array.from({ length: P.concurrency }, async () => ({ state: await cell.op.setup?.(cell.target, agent) })),
      ).catch((err) => {
        noteError(cell, err);
        return undefined;
      });
      if (workers === undefined) continue;
      const cpu0 = treeCpuMs(cell.target.proc.pid);
      const t0 = performance.now();
      const deadline = t0 + (P.tpSecs * 1000) / P.tpRounds;
      await Promise.all(
        workers.map(async (w) => {
          while (performance.now() < deadline && cell.tp.errors < MAX_ERRORS * 4) {
            const s0 = performance.now();
            try {
              await cell.op.run(cell.target, agent, w.state);
              cell.tp.samples.push(performance.now() - s0);
              cell.tp.ok++;
            } catch (err) {
              cell.tp.errors++;
              cell.firstError ??= errorText(err);
            }
          }
        }),
      );
      cell.tp.elapsed += performance.now() - t0;
      cell.tp.cpuMs += treeCpuMs(cell.target.proc.pid) - cpu0;
      await Promise.all(workers.map((w) => (w.state ? cell.op.teardown?.(w.state) : undefined)));
      if (cell.target.id === 'bridge-per-session-wp') await settlePool();
    }
  }
  for (const cell of cells) if (cell.state) await cell.op.teardown?.(cell.state);

  // Phase 3: end to end through LiteLLM's own proxy (its REST tools/call), both eras per target.
  if (!flag('--no-litellm') && litellmInstalled()) await phaseLitellm();
  else if (!flag('--no-litellm')) finding('LiteLLM is not installed in .venv (hack/setup.sh): no end-to-end rows');
} finally {
  agent.destroy();
  await stopAll();
}

/** Sequential REST tools/call echo through LiteLLM, per target and era, interleaved in rounds. */
async function phaseLitellm() {
  /** @type {{ era: string, short: string, suffix: string, protocolVersion?: string }[]} */
  const eras = [
    { era: '2025 (protocol_version auto)', short: '2025 via LiteLLM', suffix: 'auto' },
    { era: '2026-07-28', short: 'modern via LiteLLM', suffix: 'modern', protocolVersion: '2026-07-28' },
  ];
  /** @type {Record<string, { url: string, protocolVersion?: string }>} */
  const entries = {};
  /** @type {LitellmRow[]} */
  const rows = [];
  for (const t of running) {
    for (const e of eras) {
      const name = `${t.id.replaceAll('-', '_')}_${e.suffix}`;
      entries[name] = { url: t.url, protocolVersion: e.protocolVersion };
      rows.push({ target: t, era: e, name, samples: [], errors: 0, firstError: undefined });
    }
  }
  log(`end to end through LiteLLM: ${P.litellmOps} REST tools/call per target and era`);
  let proxy;
  try {
    proxy = await startLitellmProxy(entries);
  } catch (err) {
    finding(`LiteLLM did not start: ${(err instanceof Error ? err.message : String(err)).slice(0, 500)}`);
    return;
  }
  try {
    for (const row of rows) {
      for (let i = 0; i < 3 && row.errors < MAX_ERRORS; i++) await litellmCall(proxy, row, false);
      if (row.target.id === 'bridge-per-session-wp') await settlePool();
    }
    for (let r = 0; r < P.rounds; r++) {
      for (const row of r % 2 === 0 ? rows : [...rows].reverse()) {
        for (let i = 0; i < P.litellmOps / P.rounds && row.errors < MAX_ERRORS; i++) await litellmCall(proxy, row, true);
        if (row.target.id === 'bridge-per-session-wp') await settlePool();
      }
    }
  } finally {
    await proxy.proc.stop();
  }
  for (const row of rows) if (row.errors > 0) finding(`via LiteLLM ${row.target.id} ${row.era.era}: ${row.errors} errors; first: ${row.firstError}`);
  litellmRows.push(...rows.map((row) => ({ target: row.target.id, targetLabel: row.target.label, era: row.era.era, short: row.era.short, errors: row.errors, firstError: row.firstError, ...summarize(row.samples) })));
}

/**
 * One REST tools/call echo through LiteLLM.
 * @typedef {{ target: Running, era: { era: string, short: string }, name: string, samples: number[], errors: number, firstError: string | undefined }} LitellmRow
 * @param {Awaited<ReturnType<typeof startLitellmProxy>>} proxy
 * @param {LitellmRow} row
 * @param {boolean} keep record its time (false: warm-up)
 */
async function litellmCall(proxy, row, keep) {
  const m = message();
  const t0 = performance.now();
  try {
    const result = await proxy.callTool(row.name, 'echo', { message: m });
    const text = result?.content?.[0]?.text;
    if (result?.isError || text !== m) throw new Error(`wrong answer: ${JSON.stringify(result).slice(0, 200)}`);
    if (keep) row.samples.push(performance.now() - t0);
  } catch (err) {
    row.errors++;
    row.firstError ??= errorText(err);
  }
}

/** Lets a warm pool refill between cells (a node process start is hundreds of ms here). */
async function settlePool() {
  await new Promise((r) => setTimeout(r, 1500));
}

machine.loadEnd = os.loadavg().map((x) => x.toFixed(2)).join(' ');
machine.wallSecs = ((performance.now() - tStart) / 1000).toFixed(0);

// ---------------------------------------------------------------- report
const results = cells.map((c) => {
  const s = summarize(c.samples);
  const tp = c.tp;
  return {
    target: c.target.id,
    targetLabel: c.target.label,
    op: c.op.id,
    opLabel: c.op.label,
    opShort: c.op.short,
    requests: c.op.requests,
    failed: c.failed,
    firstError: c.firstError,
    errors: c.errors,
    ...s,
    opsPerSec: c.samples.length > 0 ? 1000 / s.mean : NaN,
    tpOpsPerSec: tp.elapsed > 0 ? (tp.ok / tp.elapsed) * 1000 : NaN,
    tpP50: summarize(tp.samples).p50,
    tpP99: summarize(tp.samples).p99,
    tpErrors: tp.errors,
    tpCpuUsPerOp: tp.ok > 0 ? (tp.cpuMs * 1000) / tp.ok : NaN,
  };
});
const cell = (/** @type {string} */ target, /** @type {string} */ op) => results.find((r) => r.target === target && r.op === op);

out(`## LiteLLM's tool call in both eras${QUICK ? ' (--quick)' : ''}`);
out();
out(`- machine: ${machine.nproc} CPUs (${machine.cpu}), shared with other workloads; load average ${machine.loadStart} at start, ${machine.loadEnd} at end; run took ${machine.wallSecs}s`);
out(`- node ${machine.node}; mcp-proxy (npm) ${versions.mcpProxyNpm ?? 'not installed'}; repo ${machine.commit}; ${machine.date}`);
out('- stdio server: node test/fixtures/fixture-server.mjs, tool echo {message}; raw node:http client, keep-alive; every answer checked (modern: `resultType: "complete"` too)');
out();
out(`### 1. One operation at a time (up to ${P.seqOps} per cell after ${P.warm} warm-up, ${P.rounds} interleaved rounds, ≤ ${P.seqMs / 1000} s per cell), ms`);
out();
out(table(
  ['target', 'operation', 'HTTP requests', 'n', 'p50', 'p90', 'p99', 'ops/s', 'errors'],
  results.map((r) => [r.targetLabel, r.opLabel, r.requests, r.n, ms(r.p50, 2), ms(r.p90, 2), ms(r.p99, 2), Number.isFinite(r.opsPerSec) ? r.opsPerSec.toFixed(0) : '—', r.failed ? 'FAILED (see findings)' : r.errors]),
));
out();
out(`### 2. ${P.concurrency} concurrent workers per cell (closed loop, ${P.tpSecs} s per cell in ${P.tpRounds} rounds)`);
out();
out('Server CPU per operation: user+system time of the bridge/peer process and its server processes during the loop (from /proc; processes that exit during it are counted through their parent\'s cutime/cstime), divided by operations; lower is better.');
out();
out(table(
  ['target', 'operation', 'ops/s', 'p50 ms', 'p99 ms', 'server CPU µs/op', 'errors'],
  results.map((r) => [r.targetLabel, r.opLabel, r.failed ? 'failed' : r.tpOpsPerSec.toFixed(0), ms(r.tpP50, 1), ms(r.tpP99, 1), Number.isFinite(r.tpCpuUsPerOp) ? r.tpCpuUsPerOp.toFixed(0) : '—', r.tpErrors]),
));
out();

if (litellmRows.length > 0) {
  out(`### 3. End to end through LiteLLM 1.110.2's proxy: POST /mcp-rest/tools/call echo, one at a time (${P.litellmOps} per row, ${P.rounds} interleaved rounds), ms`);
  out();
  out("What a LiteLLM user waits for: LiteLLM's own work plus its upstream operation (2025: a new session per call; 2026-07-28: server/discover + tools/list + tools/call).");
  out();
  const ref = (/** @type {string} */ target) => litellmRows.find((r) => r.target === target && r.short === '2025 via LiteLLM');
  out(table(
    ['target', 'upstream protocol', 'n', 'p50', 'p90', 'p99', 'calls/s', '2025 p50 ÷ this p50', 'errors'],
    litellmRows.map((r) => [r.targetLabel, r.era, r.n, ms(r.p50, 1), ms(r.p90, 1), ms(r.p99, 1), Number.isFinite(r.mean) ? (1000 / r.mean).toFixed(0) : '—', ratio(ref(r.target)?.p50 ?? NaN, r.p50), r.errors]),
  ));
  out();
}
out('### 4. Ratios and targets');
out();
const verdict = (/** @type {boolean | undefined} */ ok) => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL');
/** @type {(r: (typeof results)[number] | undefined) => r is (typeof results)[number]} */
const usable = (r) => r !== undefined && !r.failed && Number.isFinite(r.p50);
const tRows = [];
for (const t of started) {
  const ref = cell(t.id, 'echo-open');
  const modern = cell(t.id, 'op-modern');
  const modernL = cell(t.id, 'op-modern-litellm');
  const old = cell(t.id, 'op-2025');
  const oldL = cell(t.id, 'op-2025-litellm');
  if (usable(modern) && usable(ref)) tRows.push([t.label, 'modern op p50 ÷ open-session echo p50 ≤ 1.5x', `${ratio(modern.p50, ref.p50)} (${ms(modern.p50, 2)} vs ${ms(ref.p50, 2)} ms)`, verdict(modern.p50 <= 1.5 * ref.p50)]);
  else tRows.push([t.label, 'modern op p50 ÷ open-session echo p50 ≤ 1.5x', modern?.failed ? `modern op fails: ${modern.firstError?.slice(0, 120)}` : '—', 'FAIL']);
  if (usable(modern) && usable(old)) tRows.push([t.label, '2025 pattern p50 ÷ modern op p50 ≥ 5x', `${ratio(old.p50, modern.p50)} (${ms(old.p50, 2)} vs ${ms(modern.p50, 2)} ms)`, verdict(old.p50 >= 5 * modern.p50)]);
  else tRows.push([t.label, '2025 pattern p50 ÷ modern op p50 ≥ 5x', modern?.failed ? 'modern op fails' : '—', 'FAIL']);
  if (usable(modernL) && usable(oldL)) tRows.push([t.label, 'as LiteLLM 1.110.2 sends them: 2025 ÷ modern, p50 (no target)', `${ratio(oldL.p50, modernL.p50)} (${ms(oldL.p50, 2)} vs ${ms(modernL.p50, 2)} ms)`, '—']);
}
const mpModern = cell('mcp-proxy-npm', 'op-modern');
for (const t of started.filter((x) => x.id !== 'mcp-proxy-npm')) {
  const b = cell(t.id, 'op-modern');
  if (usable(b) && usable(mpModern)) tRows.push([t.label, 'modern op vs mcp-proxy (npm): p50 ratio, ops/s ratio at c=10 (no target)', `${ratio(b.p50, mpModern.p50)} p50, ${ratio(b.tpOpsPerSec, mpModern.tpOpsPerSec)} ops/s`, '—']);
}
out(table(['target', 'measure', 'measured', 'verdict'], tRows));
out();
if (findings.length > 0) {
  out('### Findings during the run');
  out();
  for (const f of findings) out(`- ${f.replace(/\n/g, '\n  ')}`);
  out();
}

const jsonOut = opt('--json');
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ params: P, machine, versions, results, litellm: litellmRows, findings }, null, 2)}\n`);

const chartOut = opt('--chart');
if (chartOut) {
  if (!chartAvailable()) {
    log('chart renderer not installed (bench/setup-peers.sh): no chart');
  } else {
    /** @typedef {{ target: string, operation: string, percentile?: string, ms?: number, failed?: string }} ChartValue */
    const values = results.flatMap((r) => /** @type {ChartValue[]} */ (
      !r.failed && Number.isFinite(r.p50)
        ? [
            { target: r.targetLabel, operation: r.opShort, percentile: 'p50', ms: r.p50 },
            { target: r.targetLabel, operation: r.opShort, percentile: 'p99', ms: r.p99 },
          ]
        : [{ target: r.targetLabel, operation: r.opShort, failed: `fails: ${(r.firstError ?? '').slice(0, 70)}` }]),
    );
    for (const r of litellmRows) {
      if (r.n > 0) values.push({ target: r.targetLabel, operation: r.short, percentile: 'p50', ms: r.p50 }, { target: r.targetLabel, operation: r.short, percentile: 'p99', ms: r.p99 });
      else values.push({ target: r.targetLabel, operation: r.short, failed: `fails: ${(r.firstError ?? '').slice(0, 70)}` });
    }
    const order = [...OPS.map((o) => o.short), '2025 via LiteLLM', 'modern via LiteLLM'];
    const svg = await renderVegaLiteSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: "LiteLLM's tool call through the bridge and mcp-proxy: 2025 pattern vs 2026-07-28", subtitle: `one operation at a time, ms (log scale); ${machine.nproc} shared CPUs, load ${machine.loadStart}; ${machine.commit}` },
      data: { values },
      facet: { row: { field: 'target', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' } } },
      spec: {
        width: 420,
        layer: [
          {
            transform: [{ filter: 'isValid(datum.ms)' }],
            mark: { type: 'bar' },
            encoding: {
              y: { field: 'operation', type: 'nominal', title: null, sort: order, axis: { labelLimit: 300 } },
              yOffset: { field: 'percentile' },
              // stack: null, or the bars start at 0, which a log scale cannot place (they render empty).
              x: { field: 'ms', type: 'quantitative', stack: null, scale: { type: 'log' }, title: 'ms (log scale)' },
              color: { field: 'percentile', type: 'nominal', scale: { range: ['#4c78a8', '#f58518'] } },
            },
          },
          {
            transform: [{ filter: 'isValid(datum.failed)' }],
            mark: { type: 'text', align: 'left', fontSize: 9, color: '#c0392b' },
            encoding: {
              y: { field: 'operation', type: 'nominal', sort: order },
              x: { value: 4 },
              text: { field: 'failed' },
            },
          },
          {
            transform: [{ filter: 'isValid(datum.ms)' }],
            mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
            encoding: {
              y: { field: 'operation', type: 'nominal', sort: order },
              yOffset: { field: 'percentile' },
              x: { field: 'ms', type: 'quantitative', stack: null },
              text: { field: 'ms', type: 'quantitative', format: '.2f' },
            },
          },
        ],
      },
      resolve: { scale: { x: 'shared' } },
    });
    writeFileSync(chartOut, svg);
    log(`chart written to ${chartOut}`);
  }
}

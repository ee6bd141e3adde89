#!/usr/bin/env node
// What tracing costs the bridge: the same echo tools/call closed loop (raw node:http client, as
// bench/hot-path.mjs) against the bridge with tracing off (no OTEL_* env: the SDK is never loaded) and
// on (OTEL_EXPORTER_OTLP_ENDPOINT → a real OpenTelemetry Collector from hack/otelcol.sh, every call
// a sampled SERVER span exported over OTLP/HTTP, the child handed its traceparent), interleaved in
// rounds. The figure that matters is CPU per call of the bridge process alone (from /proc).
//
//   npm run build && node bench/otel-overhead.mjs [-c 1] [--secs 6] [--rounds 6] [--session-mode shared]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuMsOf, cpuSplitOf, freePort, processTree, startProcess } from './lib/proc.mjs';
import { RawSession, rawAgent } from './lib/raw-client.mjs';
import { ms, ratio, summarize, table } from './lib/stats.mjs';
import { ROOT, startBridge } from './lib/targets.mjs';

const argv = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const C = Number(opt('-c', '1'));
const SECS = Number(opt('--secs', '6'));
const ROUNDS = Number(opt('--rounds', '6'));
const MODE = opt('--session-mode', 'per-session');
if (MODE !== 'per-session' && MODE !== 'shared') throw new Error(`--session-mode: per-session or shared, not ${MODE}`);
const WARM_MS = 1000;
const log = (/** @type {unknown[]} */ ...a) => process.stderr.write(`[otel-bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);

// ---- the collector (OTLP/HTTP in, spans to a file)
// hack/otelcol.sh prints the binary's path as its last line.
const binary = execFileSync('bash', [path.join(ROOT, 'hack/otelcol.sh')], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
const dir = mkdtempSync(path.join(os.tmpdir(), 'otel-bench-'));
const tracesFile = path.join(dir, 'traces.jsonl');
const port = await freePort();
writeFileSync(path.join(dir, 'collector.yaml'), `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
exporters:
  file:
    path: ${tracesFile}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file]
`);
/** @type {() => void} */
let ready = () => {};
/** @type {Promise<void>} */
const collectorReady = new Promise((resolve) => (ready = resolve));
const collector = startProcess('otelcol', binary, ['--config', path.join(dir, 'collector.yaml')], {
  onStderrLine: (line) => line.includes('Everything is ready') && ready(),
});
await Promise.race([collectorReady, collector.exitPromise.then(() => { throw new Error(`collector exited:\n${collector.tail.join('\n')}`); })]);
log(`collector ${binary} on :${port}`);

// ---- the two bridges
const quiet = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
const agent = rawAgent();
/**
 * @type {{ id: string, proc: import('./lib/proc.mjs').Proc, sessions: RawSession[], samples: number[], calls: number, elapsed: number, ownMs: number, childMs: number, collectorMs: number }[]}
 */
const targets = [];
try {
  const on = { ...quiet, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` };
  // on: every call a sampled, exported span (the default sampler; the raw client sends no traceparent).
  // on, 10%: what a busy production setting would use (OTEL_TRACES_SAMPLER=traceidratio, ARG 0.1).
  /** @type {[string, NodeJS.ProcessEnv][]} */
  const variants = [['off', quiet], ['on', on], ['on, 10% sampled', { ...on, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }]];
  for (const [id, env] of variants) {
    const t = await startBridge({ name: id, sessionMode: MODE, env });
    const sessions = [];
    for (let i = 0; i < C; i++) sessions.push((await RawSession.open(t.url, agent)).session);
    targets.push({ id, proc: t.proc, sessions, samples: [], calls: 0, elapsed: 0, ownMs: 0, childMs: 0, collectorMs: 0 });
  }
  let seq = 0;
  /**
   * @param {(typeof targets)[number]} t
   * @param {number} durationMs
   * @param {boolean} record
   */
  const loop = async (t, durationMs, record) => {
    const own = [t.proc.pid];
    const children = processTree(t.proc.pid).filter((p) => p !== t.proc.pid);
    const own0 = cpuSplitOf(own);
    const child0 = cpuMsOf(children);
    const col0 = cpuMsOf([collector.pid]);
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
    t.ownMs += own1.user - own0.user + own1.system - own0.system;
    t.childMs += cpuMsOf(children) - child0;
    t.collectorMs += cpuMsOf([collector.pid]) - col0;
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
  await collector.stop?.();
}

const [off, ...ons] = targets;
const perCall = (/** @type {{ calls: number }} */ t, /** @type {number} */ msTotal) => (msTotal * 1000) / t.calls;
const rate = (/** @type {{ calls: number, elapsed: number }} */ t) => (t.calls / t.elapsed) * 1000;
process.stdout.write(`tracing overhead: raw node:http client, ${C} session(s), ${MODE}, echo tools/call closed loop, ${SECS}s per target in ${ROUNDS} interleaved rounds; ` +
  `${os.availableParallelism()} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; collector file ${(statSync(tracesFile, { throwIfNoEntry: false })?.size ?? 0) >> 10} KiB\n\n`);
process.stdout.write(`${table(
  ['tracing', 'calls', 'calls/s', 'p50 ms', 'p99 ms', 'µs CPU/call (bridge)', 'µs CPU/call (server child)', 'µs CPU/call (collector)'],
  targets.map((t) => {
    const s = summarize(t.samples);
    return [t.id, t.calls, rate(t).toFixed(0), ms(s.p50), ms(s.p99), perCall(t, t.ownMs).toFixed(0), perCall(t, t.childMs).toFixed(0), perCall(t, t.collectorMs).toFixed(0)];
  }),
)}\n`);
if (off !== undefined) {
  for (const on of ons) {
    process.stdout.write(`\n${on.id} / off: bridge CPU per call ${ratio(perCall(on, on.ownMs), perCall(off, off.ownMs))}, calls/s ${ratio(rate(on), rate(off))}, p50 ${ratio(summarize(on.samples).p50, summarize(off.samples).p50)}`);
  }
  process.stdout.write('\n');
}

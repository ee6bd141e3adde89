// Throughput of one McpServer at 1, 2 and 4 replicas through its Service, on the cluster in KUBECONFIG,
// side by side with the machine's ceiling: a no-op HTTP server (the same node image, answering every POST
// with a fixed JSON-RPC result) at the same replica counts under the same client load. On a machine with
// few cores the client, kube-proxy and the pods share them, so the no-op's ratios are the most any server
// could gain here; the bridge's ratios are read against them.
//
//   node bench/replicas.mjs [--seconds 15] [--concurrency 32] [--replicas 1,2,4] [--json out.json] [--chart out.svg]
//
// Needs: the operator installed and running (npm start, or the e2e's chart install), the images of
// hack/images.sh, KUBECONFIG. Load: half the workers are 2025-era sessions (initialize once, then
// tools/call echo; a request that lands on a replica other than the session's owner is relayed there),
// half are 2026-07-28 requests (no session, served where they land). Every answer is checked.
// Connections are kept alive, so each worker mostly keeps its own and kube-proxy spreads the workers over
// the pods once (sessions then rarely leave their owner); --new-connections opens one per request, as
// LiteLLM-style clients do, so session requests land anywhere and most are relayed to their owner.
import { execFile } from 'node:child_process';
import { Agent } from 'node:http';
import { writeFileSync } from 'node:fs';
import { parseArgs, promisify } from 'node:util';
import { ModernClient, RawSession, post, rawAgent } from './lib/raw-client.mjs';
import { chartAvailable, renderVegaLiteSvg } from './lib/chart.mjs';

const run = promisify(execFile);
const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '32' },
    replicas: { type: 'string', default: '1,2,4' },
    namespace: { type: 'string', default: 'mcp-bench-replicas' },
    json: { type: 'string' },
    chart: { type: 'string' },
    'new-connections': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  process.stdout.write('usage: node bench/replicas.mjs [--seconds 15] [--concurrency 32] [--replicas 1,2,4] [--new-connections] [--namespace NS] [--json FILE] [--chart FILE.svg]\n');
  process.exit(0);
}
const SECONDS = Number(opts.seconds);
const CONCURRENCY = Number(opts.concurrency);
const COUNTS = opts.replicas.split(',').map(Number);
const NS = opts.namespace;
const KUBECTL = process.env.KUBECTL ?? '/var/cache/mcp-sidecar/bin/current/kubectl';
const SERVER = 'bench-everything';
const agentFor = () => (opts['new-connections'] ? new Agent({ keepAlive: false, maxSockets: CONCURRENCY }) : rawAgent(CONCURRENCY));
const NOOP = 'bench-noop';

/**
 * @param {string[]} args
 * @param {string} [input] written to kubectl's stdin
 */
async function kubectl(args, input) {
  const p = run(KUBECTL, args, { maxBuffer: 64 << 20 });
  if (input !== undefined) {
    p.child.stdin?.end(input);
  }
  return (await p).stdout;
}

// The no-op answers any POST with a JSON-RPC result, without reading what was asked: the cost of the
// HTTP path (client, kube-proxy, a node HTTP server) and nothing else.
const NOOP_SERVER = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.setHeader('content-type', 'application/json'); s.end('{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"noop"}]}}'); }); }).listen(8080);`;

const manifests = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  {
    apiVersion: 'mcp.sidecar.dev/v1alpha1',
    kind: 'McpServer',
    metadata: { name: SERVER, namespace: NS },
    spec: { command: ['npx', '-y', '@modelcontextprotocol/server-everything'], sessions: { mode: 'shared' }, replicas: 1 },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NOOP, namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: NOOP } },
      template: {
        metadata: { labels: { app: NOOP } },
        spec: {
          containers: [{
            name: 'noop', image: 'localhost/mcp-bridge:local', imagePullPolicy: 'Never', command: ['node', '-e', NOOP_SERVER],
            ports: [{ containerPort: 8080 }], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          }],
        },
      },
    },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: NOOP, namespace: NS }, spec: { selector: { app: NOOP }, ports: [{ port: 8080 }] } },
];

/** @typedef {{ addresses: string[], conditions?: { ready?: boolean, terminating?: boolean } }} Endpoint */

/**
 * Ready addresses of a Service's endpoints (what kube-proxy spreads over).
 * @param {string} service
 * @returns {Promise<string[]>}
 */
async function readyEndpoints(service) {
  /** @type {{ items: { endpoints?: Endpoint[] }[] }} */
  const slices = JSON.parse(await kubectl(['get', 'endpointslices', '-n', NS, '-l', `kubernetes.io/service-name=${service}`, '-o', 'json']));
  return slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true && e.conditions?.terminating !== true).flatMap((e) => e.addresses));
}

/**
 * Pods of a Service that still exist (terminating ones count: they still take CPU).
 * @param {string} selector
 */
async function podCount(selector) {
  /** @type {{ items: unknown[] }} */
  const pods = JSON.parse(await kubectl(['get', 'pods', '-n', NS, '-l', selector, '-o', 'json']));
  return pods.items.length;
}

/**
 * @param {string} what
 * @param {() => Promise<boolean>} predicate
 */
async function waitFor(what, predicate, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Scales both to n and waits until each has n ready endpoints and no pod beyond them.
 * @param {number} n
 */
async function scaleTo(n) {
  await kubectl(['scale', '-n', NS, `mcpserver/${SERVER}`, `--replicas=${n}`]);
  await kubectl(['scale', '-n', NS, `deployment/${NOOP}`, `--replicas=${n}`]);
  await waitFor(`${n} ready replicas of each`, async () =>
    (await readyEndpoints(SERVER)).length === n && (await readyEndpoints(NOOP)).length === n &&
    (await podCount(`app.kubernetes.io/instance=${SERVER}`)) === n && (await podCount(`app=${NOOP}`)) === n);
}

/** @param {string} name */
async function serviceUrl(name) {
  /** @type {{ spec: { clusterIP: string, ports: { port: number }[] } }} */
  const svc = JSON.parse(await kubectl(['get', 'service', name, '-n', NS, '-o', 'json']));
  return `http://${svc.spec.clusterIP}:${svc.spec.ports[0]?.port ?? 80}`;
}

/** Sum of mcp_bridge_relayed_total over the server's pods (each scraped at its pod IP). */
async function relayedTotal() {
  let sum = 0;
  for (const ip of await readyEndpoints(SERVER)) {
    const text = await (await fetch(`http://${ip}:8080/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith('mcp_bridge_relayed_total')) sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** @typedef {{ calls: number, errors: number, firstError: string | undefined, perSecond: number }} LoadResult */

/**
 * Runs a worker on CONCURRENCY loops for SECONDS; each loop counts its calls.
 * @param {(i: number) => Promise<() => Promise<unknown>>} makeWorker makes loop i's step
 * @returns {Promise<LoadResult>}
 */
async function load(makeWorker) {
  const stop = { at: performance.now() + SECONDS * 1000 };
  /** @type {{ calls: number, errors: number, firstError: string | undefined }} */
  const counts = { calls: 0, errors: 0, firstError: undefined };
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, i) => {
    const step = await makeWorker(i);
    while (performance.now() < stop.at) {
      try {
        await step();
        counts.calls++;
      } catch (err) {
        counts.errors++;
        counts.firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  }));
  return { ...counts, perSecond: counts.calls / SECONDS };
}

/** @param {string} url */
async function measureNoop(url) {
  const agent = agentFor();
  // The same client stack as the bridge's workers (node:http, keep-alive): only the server differs.
  const result = await load(async () => async () => {
    const r = await post(`${url}/mcp`, agent, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } }, {});
    if (r.status !== 200 || r.message?.id !== 1) throw new Error(`no-op: HTTP ${r.status}`);
  });
  agent.destroy();
  return result;
}

/**
 * @param {string} url
 * @returns {Promise<LoadResult & { relayShare: number }>}
 */
async function measureBridge(url) {
  const agent = agentFor();
  const relayedBefore = await relayedTotal();
  let seq = 0;
  const result = await load(async (i) => {
    if (i % 2 === 0) {
      const modern = new ModernClient(`${url}/mcp`, agent);
      return () => modern.echo(`m${seq++}`);
    }
    const { session } = await RawSession.open(`${url}/mcp`, agent);
    return () => session.echo(`s${seq++}`);
  });
  const relayed = (await relayedTotal()) - relayedBefore;
  agent.destroy();
  return { ...result, relayShare: result.calls > 0 ? relayed / result.calls : 0 };
}

const t0 = Date.now();
// The last run deletes its namespace without waiting: objects applied into a Terminating one are lost.
await waitFor(`namespace ${NS} from an earlier run to be gone`, async () => (await kubectl(['get', 'namespace', '--ignore-not-found', NS, '-o', 'name'])).trim() === '');
// --force-conflicts: spec.replicas was last written by `kubectl scale` (another field manager).
await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifests.map((m) => JSON.stringify(m)).join('\n'));
/** @type {{ replicas: number, noop: LoadResult, bridge: LoadResult & { relayShare: number } }[]} */
const rows = [];
for (const n of COUNTS) {
  await scaleTo(n);
  const noop = await measureNoop(await serviceUrl(NOOP));
  const bridge = await measureBridge(await serviceUrl(SERVER));
  rows.push({ replicas: n, noop, bridge });
  process.stderr.write(`${n} replica(s): no-op ${noop.perSecond.toFixed(0)}/s, bridge ${bridge.perSecond.toFixed(0)}/s (${bridge.errors} errors${bridge.firstError ? `: ${bridge.firstError}` : ''}), relayed ${(bridge.relayShare * 100).toFixed(1)} %\n`);
}
const base = rows[0];
if (base === undefined) throw new Error('no replica counts measured');
const table = rows.map((r) => ({
  replicas: r.replicas,
  noopPerSecond: Math.round(r.noop.perSecond),
  noopRatio: +(r.noop.perSecond / base.noop.perSecond).toFixed(2),
  bridgePerSecond: Math.round(r.bridge.perSecond),
  bridgeRatio: +(r.bridge.perSecond / base.bridge.perSecond).toFixed(2),
  bridgeOfCeiling: +((r.bridge.perSecond / base.bridge.perSecond) / (r.noop.perSecond / base.noop.perSecond)).toFixed(2),
  relayedPercent: +(r.bridge.relayShare * 100).toFixed(1),
  errors: r.bridge.errors + r.noop.errors,
}));
console.log(`replicas bench: ${SECONDS} s per point, ${CONCURRENCY} workers (half 2025-era sessions, half 2026-07-28), ${opts['new-connections'] ? 'a new connection per request' : 'keep-alive connections'}, shared mode, ${new Date().toISOString()}, ${Math.round((Date.now() - t0) / 1000)} s`);
console.log('| replicas | no-op calls/s | no-op ratio (ceiling) | bridge calls/s | bridge ratio | bridge ratio / ceiling | relayed | errors |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of table) console.log(`| ${r.replicas} | ${r.noopPerSecond} | ${r.noopRatio}x | ${r.bridgePerSecond} | ${r.bridgeRatio}x | ${r.bridgeOfCeiling} | ${r.relayedPercent} % | ${r.errors} |`);
if (opts.json !== undefined) writeFileSync(opts.json, `${JSON.stringify({ seconds: SECONDS, concurrency: CONCURRENCY, table }, null, 2)}\n`);
if (opts.chart !== undefined && chartAvailable()) {
  const values = table.flatMap((r) => [
    { replicas: String(r.replicas), series: 'no-op (machine ceiling)', ratio: r.noopRatio },
    { replicas: String(r.replicas), series: 'bridge (server-everything, shared)', ratio: r.bridgeRatio },
  ]);
  writeFileSync(opts.chart, await renderVegaLiteSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'Throughput through the Service, as a ratio to 1 replica', subtitle: `${CONCURRENCY} workers, ${SECONDS} s per point, ${opts['new-connections'] ? 'a connection per request' : 'keep-alive'}, 2 shared cores` },
    width: 360, height: 220, data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'replicas', type: 'ordinal', title: 'replicas' },
      xOffset: { field: 'series' },
      y: { field: 'ratio', type: 'quantitative', title: 'calls/s ÷ calls/s at 1 replica' },
      color: { field: 'series', type: 'nominal', legend: { orient: 'bottom', title: null } },
    },
  }));
}
await kubectl(['delete', 'namespace', NS, '--wait=false']);
if (table.some((r) => r.errors > 0)) process.exitCode = 1;

// Monitoring, proven on real data: Prometheus (samples/prometheus/, kubernetes_sd on the chart's
// prometheus.io annotations) scrapes the operator and every bridged sample; every query of the chart's
// Grafana dashboard is evaluated against it over this run and must neither fail nor come back empty; and
// the `monitoring` sample (prometheus-mcp-server behind the bridge) answers an MCP client with real rates.
import { randomBytes } from 'node:crypto';
import { NAMESPACE, RELEASE, SYSTEM_NAMESPACE, kubectl, serviceUrl, waitFor } from './lib/kube.js';
import { loadDashboard, panelQueries, substitute, variableQueries } from './lib/dashboard.js';
import { callText, connect, withClient } from './lib/mcp.js';
import { hasFiniteData, instant, range, type Series } from './lib/prometheus-api.js';
import { SAMPLES, applyPrometheus, ensureSystem } from './lib/system.js';

/**
 * Panels on the OpenTelemetry MCP semconv metrics (mcp_server_operation_duration_seconds,
 * mcp_server_session_duration_seconds), which the bridge does not export yet on this branch: their queries
 * must still be valid PromQL, but may be empty. Remove each title once the bridge exports its metric.
 */

/** Grafana's values for one namespace and all servers; 1m = 12 scrapes at the sample's 5 s interval. */
const VARIABLES = { namespace: NAMESPACE, server: '.+', __rate_interval: '1m', datasource: 'prometheus' };
const tag = randomBytes(3).toString('hex');
/** This jest process started with the suite (files run in band), so the run's window starts here. */
const runStart = Math.floor(Date.now() / 1000 - process.uptime());
const bridged = SAMPLES.filter((s) => s.transport !== 'streamable-http').map((s) => s.name).sort();
let prometheus = '';

beforeAll(async () => {
  await ensureSystem();
  prometheus = await applyPrometheus();
}, 600_000);

/** Traffic every bridge panel can see: sessions on both transports, calls, a failing call, list requests. */
async function traffic(): Promise<void> {
  const url = await serviceUrl('everything', '');
  for (const kind of ['http', 'sse'] as const) {
    await withClient(url, kind, async (c) => {
      for (let i = 0; i < 5; i += 1) await callText(c, 'echo', { message: `monitoring-${tag}-${String(i)}` });
      // An error answer (unknown tool): the error panels have something to show.
      await c.callTool({ name: `no-such-tool-${tag}` }).catch(() => undefined);
    });
  }
  const held = await connect(await serviceUrl('memory', ''), 'http');
  try {
    await held.listTools();
  } finally {
    await held.close();
  }
  // An operator reconcile now, whatever happened before (a metadata change is a watch event).
  await kubectl(['annotate', 'mcpserver', 'everything', '-n', NAMESPACE, '--overwrite', `e2e.mcp.sidecar.dev/monitoring=${tag}`]);
}

describe('Prometheus (samples/prometheus/) on the cluster', () => {
  it('when running, then it scrapes the operator and every bridged sample pod through their prometheus.io annotations', async () => {
    const up = await waitFor('every bridged sample and the operator up in Prometheus', 120_000, async () => {
      const series = await instant(prometheus, `up{namespace=~"${NAMESPACE}|${SYSTEM_NAMESPACE}"} == 1`);
      const services = new Set(series.map((s) => `${s.metric.namespace ?? ''}/${s.metric.service ?? ''}`));
      const want = [...bridged.map((n) => `${NAMESPACE}/${n}`), `${SYSTEM_NAMESPACE}/${RELEASE}`];
      return want.every((w) => services.has(w)) ? series : undefined;
    }, 2000);
    // A streamable-http server has no bridge: nothing to scrape, nothing advertised.
    expect(up.some((s) => s.metric.service === 'everything-http')).toBe(false);
    expect(up.every((s) => s.metric.pod !== undefined && s.metric.pod !== '')).toBe(true);
  }, 180_000);
});

describe('the chart\'s Grafana dashboard, against this run\'s data', () => {
  const dashboard = loadDashboard();
  const queries = panelQueries(dashboard).map((q) => ({ ...q, promql: substitute(q.expr, VARIABLES) }));

  beforeAll(() => traffic(), 180_000);

  it('when its panels are listed, then the OpenTelemetry MCP panels are there and the dashboard is not trivially small', () => {
    const titles = new Set(queries.map((q) => q.title));
    expect(['Operations per second by MCP method', 'Operation errors per second by error.type', 'Tool call latency p50 by tool', 'Tool call latency p99 by tool', 'Session duration p50 / p99'].filter((t) => !titles.has(t))).toEqual([]);
    expect(queries.length).toBeGreaterThanOrEqual(20);
  });

  it('when every panel query is evaluated over the run, then none fails and each shows data', async () => {
    const empty = (results: { title: string; refId: string; series: Series[] }[]) =>
      results.filter((r) => !hasFiniteData(r.series)).map((r) => `${r.title} [${r.refId}]`);
    let last: string[] = [];
    // Rates need two scrapes after the traffic: poll until every panel has data, then judge.
    const results = await waitFor('every dashboard panel to show data', 90_000, async () => {
      const end = Math.floor(Date.now() / 1000);
      const step = Math.max(5, Math.ceil((end - runStart) / 400));
      const out: { title: string; refId: string; series: Series[] }[] = [];
      // A query error (bad PromQL, a bad variable substitution) throws here with Prometheus's message.
      for (const q of queries) out.push({ title: q.title, refId: q.refId, series: await range(prometheus, q.promql, runStart, end, step) });
      last = empty(out);
      return last.length === 0 ? out : undefined;
    }, 5000).catch((err: unknown) => {
      throw new Error(`panels without data: ${last.join('; ')} (${err instanceof Error ? err.message : String(err)})`);
    });
    expect(empty(results)).toEqual([]);
    const calls = results.find((r) => r.title === 'Messages per second by method');
    expect(calls?.series.some((s) => s.metric.method === 'tools/call')).toBe(true);
  }, 180_000);

  it('when its template variables are resolved, then the namespace list holds the e2e namespace and the server list every bridged sample', async () => {
    const vars = variableQueries(dashboard);
    expect(vars.map((v) => v.name)).toEqual(['namespace', 'server']);
    const values = async (name: string) => {
      const v = vars.find((x) => x.name === name);
      if (v === undefined) throw new Error(`no variable ${name}`);
      return (await instant(prometheus, substitute(v.expr, { namespace: NAMESPACE }))).map((s) => s.metric[v.label] ?? '');
    };
    expect(await values('namespace')).toContain(NAMESPACE);
    // A sample rolled by an earlier file (memory) shows up once Prometheus has discovered and scraped
    // its new pod: poll, then judge.
    let last: string[] = [];
    await waitFor('every bridged sample in the server variable', 90_000, async () => {
      last = (await values('server')).sort();
      return bridged.every((b) => last.includes(b)) ? true : undefined;
    }, 2000).catch(() => undefined);
    expect(last).toEqual(expect.arrayContaining(bridged));
  }, 120_000);
});

describe('monitoring (prometheus-mcp-server, Python, behind the bridge)', () => {
  it('when an MCP client asks it for the samples\' request rates, then real numbers for the other samples come back', async () => {
    const url = await serviceUrl('monitoring', '');
    const query = `sum by (service) (rate(mcp_bridge_messages_total{namespace="${NAMESPACE}", direction="to_server"}[5m]))`;
    const ask = () =>
      withClient(url, 'http', async (c) => {
        const text = await callText(c, 'execute_query', { query });
        return JSON.parse(text) as { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
      });
    const rateOf = (r: Awaited<ReturnType<typeof ask>>) => Object.fromEntries(r.result.map((x) => [x.metric.service ?? '', Number(x.value[1])]));
    // The traffic of this file is seconds old: a rate shows it once Prometheus has scraped it twice.
    let rates = await ask();
    await waitFor('a non-zero rate for everything', 90_000, async () => {
      rates = await ask();
      return (rateOf(rates).everything ?? 0) > 0 ? true : undefined;
    }, 3000).catch(() => undefined);
    expect(rates.resultType).toBe('vector');
    const byService = rateOf(rates);
    expect(Object.keys(byService)).toEqual(expect.arrayContaining(['everything', 'memory']));
    expect(byService.everything).toBeGreaterThan(0);
    expect(Object.values(byService).every((v) => Number.isFinite(v))).toBe(true);
  }, 120_000);
});

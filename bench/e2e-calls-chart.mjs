#!/usr/bin/env node
// A picture of a run from its Prometheus: tools/call per second over time, one line per McpServer, read
// from the bridges' mcp_bridge_messages_total (the same series as the dashboard's "Messages per second by
// method") and rendered to SVG with vega-lite (bench/lib/chart.mjs; install it with bench/setup-peers.sh).
//
//   node bench/e2e-calls-chart.mjs --prometheus http://<ClusterIP>:9090 [--namespace mcp-e2e]
//        [--minutes 30 | --start <unix s> --end <unix s>] [--out docs/charts/e2e-calls.svg] [--title TEXT]
//
// docs/monitoring.md embeds the chart of an e2e run (test/e2e/run.sh with E2E_KEEP=1, then this script).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chartAvailable, renderVegaLiteSvg } from './lib/chart.mjs';

const { values: args } = parseArgs({
  options: {
    prometheus: { type: 'string' },
    namespace: { type: 'string', default: 'mcp-e2e' },
    minutes: { type: 'string', default: '30' },
    start: { type: 'string' },
    end: { type: 'string' },
    out: { type: 'string', default: 'docs/charts/e2e-calls.svg' },
    title: { type: 'string', default: 'tools/call per second through the bridges during an e2e run' },
  },
});
if (args.prometheus === undefined) throw new Error('--prometheus URL is required (samples/prometheus/apply.sh prints it)');
if (!chartAvailable()) throw new Error('vega-lite is not installed: run bench/setup-peers.sh');

const end = Number(args.end ?? Math.floor(Date.now() / 1000));
const start = Number(args.start ?? end - Number(args.minutes) * 60);
const step = Math.max(5, Math.ceil((end - start) / 300));
// A short window (6 scrapes at the sample's 5 s) shows bursts; the dashboard uses $__rate_interval.
const query = `sum by (service) (rate(mcp_bridge_messages_total{namespace="${args.namespace}", direction="to_server", method="tools/call"}[30s]))`;
const url = `${args.prometheus}/api/v1/query_range?${new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) })}`;
/**
 * Prometheus's answer to a range query (the fields read here).
 * @type {{ status: string, errorType?: string, error?: string, data: { result: { metric: { service: string }, values: [number, string][] }[] } }}
 */
const body = await (await fetch(url)).json();
if (body.status !== 'success') throw new Error(`Prometheus: ${body.errorType}: ${body.error}`);

const values = body.data.result.flatMap((s) => s.values.map(([t, v]) => ({ service: s.metric.service, t: new Date(t * 1000).toISOString(), perSecond: Number(v) })));
if (values.length === 0) throw new Error(`no tools/call in namespace ${args.namespace} between ${new Date(start * 1000).toISOString()} and ${new Date(end * 1000).toISOString()}`);
const total = body.data.result.map((s) => s.metric.service).length;
const svg = await renderVegaLiteSvg({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: {
    text: args.title,
    subtitle: `Prometheus (samples/prometheus/): rate(mcp_bridge_messages_total{method="tools/call"}[30s]) by McpServer, namespace ${args.namespace}, ${String(total)} servers, step ${String(step)} s`,
  },
  width: 760,
  height: 280,
  data: { values },
  mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
  encoding: {
    x: { field: 't', type: 'temporal', title: 'time (UTC)', axis: { format: '%H:%M:%S' } },
    y: { field: 'perSecond', type: 'quantitative', title: 'calls per second' },
    color: { field: 'service', type: 'nominal', title: 'McpServer' },
  },
});
writeFileSync(args.out, svg);
console.log(`wrote ${args.out} (${String(values.length)} points)`);

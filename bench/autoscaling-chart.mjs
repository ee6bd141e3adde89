// Renders the autoscaling e2e's figures (test/e2e/35-autoscaling.test.ts, written with
// E2E_FIGURES_DIR=<dir>) as an SVG: replicas asked / ready and calls per second over the run.
//
//   node bench/autoscaling-chart.mjs <dir>/autoscaling.json docs/charts/autoscaling.svg
//
// Needs the chart modules of bench/setup-peers.sh (vega, vega-lite; no browser).
import { readFileSync, writeFileSync } from 'node:fs';
import { chartAvailable, renderVegaLiteSvg } from './lib/chart.mjs';

const [input, output] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  process.stderr.write('usage: node bench/autoscaling-chart.mjs FIGURES.json OUT.svg\n');
  process.exit(2);
}
if (!chartAvailable()) {
  process.stderr.write('chart modules missing: run bash bench/setup-peers.sh first\n');
  process.exit(1);
}
/**
 * What test/e2e/35-autoscaling.test.ts writes.
 * @type {{ secondsToScaleUp: number, secondsToScaleDown: number, callsUnderLoad: number, callsPerSecond: number, failures: number, samples: { t: number, replicas: number, ready: number, calls: number }[] }}
 */
const figures = JSON.parse(readFileSync(input, 'utf8'));
/** Calls per second between consecutive samples (the samples are ~2 s apart). */
const rates = figures.samples.slice(1).map((s, i) => {
  const prev = figures.samples[i] ?? s; // samples[i] is the one before s (slice(1) shifted the indices)
  return { t: s.t, value: Math.max(0, (s.calls - prev.calls) / Math.max(0.1, s.t - prev.t)), series: 'calls/s' };
});
const replicas = figures.samples.flatMap((s) => [
  { t: s.t, value: s.replicas, series: 'replicas (HPA)' },
  { t: s.t, value: s.ready, series: 'ready pods' },
]);
const subtitle = `up to 3 in ${figures.secondsToScaleUp} s under load, back to 1 in ${figures.secondsToScaleDown} s after it; ${figures.callsUnderLoad} calls, ${figures.failures} failed`;
const svg = await renderVegaLiteSvg({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: { text: 'An McpServer autoscaled on CPU (metrics-server, HPA) under a bounded load', subtitle },
  vconcat: [
    {
      width: 560,
      height: 120,
      data: { values: rates },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: { x: { field: 't', type: 'quantitative', title: 'seconds' }, y: { field: 'value', type: 'quantitative', title: 'calls/s' } },
    },
    {
      width: 560,
      height: 120,
      data: { values: replicas },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'seconds' },
        y: { field: 'value', type: 'quantitative', title: 'pods', scale: { domain: [0, 4] } },
        color: { field: 'series', type: 'nominal', title: null },
        strokeDash: { field: 'series', type: 'nominal' },
      },
    },
  ],
});
writeFileSync(output, svg);
process.stdout.write(`chart written to ${output}\n`);

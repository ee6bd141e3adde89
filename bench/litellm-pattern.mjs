#!/usr/bin/env node
// Issue 5's benchmark: LiteLLM's way of using an MCP server — a NEW session for every tool call
// (initialize, one tools/call, close) — against the bridge in three process models, side by side:
//   shared            one warm process for all sessions (initialize answered from the cache)
//   per-session cold  a process started per session (--warm-pool 0)
//   per-session warm  a process per session, N started ahead (--warm-pool 4)
// plus many concurrent sessions on one shared child. Prints markdown tables with ratios.
//
//   npm run build && node bench/litellm-pattern.mjs [--rounds N] [--server fixture|everything]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import os from 'node:os';
import { ms, ratio, summarize, table } from './lib/stats.mjs';
import { startBridge } from './lib/targets.mjs';

const arg = (/** @type {string} */ name, /** @type {string} */ fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const rounds = Number(arg('rounds', '40'));
const server = /** @type {import('./lib/targets.mjs').ServerName} */ (arg('server', 'fixture'));

/**
 * One LiteLLM-style operation: returns its wall time in ms; throws on a wrong answer.
 * @param {string} url
 * @param {number} i
 */
async function operation(url, i) {
  const started = performance.now();
  const client = new Client({ name: 'litellm-like', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  const result = await client.callTool({ name: 'echo', arguments: { message: `op-${i}` } });
  const text = /** @type {{ text?: string }[] | undefined} */ (result.content)?.map((c) => c.text ?? '').join('');
  if (server === 'fixture' && text !== `op-${i}`) throw new Error(`wrong answer: ${text}`);
  await transport.terminateSession();
  await client.close();
  return performance.now() - started;
}

/** @type {{ name: string, opts: { sessionMode?: 'shared', warmPool?: number } }[]} */
const models = [
  { name: 'shared', opts: { sessionMode: 'shared' } },
  { name: 'per-session, warm pool 4', opts: { warmPool: 4 } },
  { name: 'per-session, cold', opts: { warmPool: 0 } },
];

console.log(`# LiteLLM pattern (session per call), ${rounds} operations per model, server: ${server}`);
console.log(`machine: ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}\n`);

const sequential = [];
for (const model of models) {
  const bridge = await startBridge({ server, ...model.opts });
  try {
    await operation(bridge.url, -1); // warm-up (also fills the pool)
    const times = [];
    for (let i = 0; i < rounds; i++) times.push(await operation(bridge.url, i));
    sequential.push({ model: model.name, ...summarize(times) });
  } finally {
    await bridge.proc.stop();
  }
}
const base = sequential[0]?.p50 ?? NaN;
console.log('## One operation at a time (initialize + call + close), ms\n');
console.log(table(['model', 'p50', 'p90', 'p99', 'p50 vs shared'], sequential.map((r) => [r.model, ms(r.p50, 1), ms(r.p90, 1), ms(r.p99, 1), ratio(r.p50, base)])));

console.log('\n## Many concurrent LiteLLM-style sessions on one shared child\n');
const concurrent = [];
const bridge = await startBridge({ server, sessionMode: 'shared' });
try {
  for (const c of [10, 50]) {
    const started = performance.now();
    const times = (await Promise.all(Array.from({ length: c }, async (_, w) => {
      const t = [];
      for (let i = 0; i < Math.ceil(rounds / 4); i++) t.push(await operation(bridge.url, w * 1000 + i));
      return t;
    }))).flat();
    const seconds = (performance.now() - started) / 1000;
    concurrent.push([c, times.length, (times.length / seconds).toFixed(0), ms(summarize(times).p50, 1), ms(summarize(times).p99, 1)]);
  }
} finally {
  await bridge.proc.stop();
}
console.log(table(['concurrent sessions', 'operations', 'operations/s', 'p50 ms', 'p99 ms'], concurrent));

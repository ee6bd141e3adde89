#!/usr/bin/env node
// Sessions one pod holds before eviction, per memory limit, for server-everything (docs/reliability.md).
// For each limit: a bridge (dist/, in this process, so its RSS is the bridge's) with that limit and no
// --max-sessions; real SDK clients open sessions one after another, each making one call, up to the cap
// plus 3. Reports the cap the bridge chose, the measured per-server private memory, evictions, and the memory of
// the bridge and all its server processes at the end (RSS counts shared pages in every process; PSS
// splits them, close to what the cgroup charges).
// Usage: npm run -s build && node bench/capacity.mjs [limitMiB ...]   (default 512 1024 2048)
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pino } from 'pino';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// The built bridge (dist/), typed from the TypeScript it is built from. Not a static import of ../dist:
// `npm run typecheck:mjs` would then type-check the compiled JavaScript instead (tsconfig.mjs.json).
const { startBridge } = /** @type {typeof import('../bridge/bridge.js')} */ (await import(pathToFileURL(join(ROOT, 'dist/bridge/bridge.js')).href));
const { parseConfig } = /** @type {typeof import('../bridge/config.js')} */ (await import(pathToFileURL(join(ROOT, 'dist/bridge/config.js')).href));
const EVERYTHING = ['node', join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'];
const MiB = 1024 * 1024;

/** RSS and PSS (bytes) of this process and every process below it. */
function treeMemory() {
  const parent = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const inTree = (/** @type {number} */ pid) => {
    for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === process.pid) return true;
    return false;
  };
  let rss = 0;
  let pss = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return { rss, pss };
}

/** @param {string} url */
async function connect(url) {
  const client = new Client({ name: 'capacity-bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  await client.callTool({ name: 'echo', arguments: { message: 'x' } });
  return client;
}

const limits = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['512', '1024', '2048']).map(Number);
const rows = [];
for (const limitMiB of limits) {
  const parsed = parseConfig(['--port', '0', '--vanished-after', '0', '--', ...EVERYTHING], {});
  if (parsed.kind !== 'config') throw new Error(`parseConfig: ${parsed.kind} instead of a configuration`);
  const bridge = await startBridge(parsed.config, { log: pino({ level: 'silent' }), environment: { PATH: process.env.PATH, HOME: process.env.HOME }, processMetrics: false, memoryLimit: limitMiB * MiB });
  const clients = [await connect(bridge.url)];
  const cap = bridge.hub.capacity.max;
  while (clients.length < cap + 3) clients.push(await connect(bridge.url));
  await new Promise((resolve) => setTimeout(resolve, 3000)); // evicted processes finish stopping
  const metrics = await bridge.metrics.registry.metrics();
  const evictions = Number(/^mcp_bridge_evictions_total\{reason="capacity"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
  const mem = treeMemory();
  rows.push({ limitMiB, serverMiB: (bridge.hub.capacity.serverPrivateBytes / MiB).toFixed(1), cap, held: bridge.hub.size, opened: clients.length, evictions, rssMiB: (mem.rss / MiB).toFixed(0), pssMiB: (mem.pss / MiB).toFixed(0) });
  await Promise.allSettled(clients.map((c) => c.close()));
  await bridge.close(0);
}
console.log('| memory limit | server private memory measured | cap chosen | sessions opened | held at the end | evictions | bridge + servers RSS | PSS |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.limitMiB} MiB | ${r.serverMiB} MiB | ${r.cap} | ${r.opened} | ${r.held} | ${r.evictions} | ${r.rssMiB} MiB | ${r.pssMiB} MiB |`);

// Capacity that cannot kill the pod: at the session cap the longest-idle session is evicted (its
// client gets 404 and initializes again) before anyone is refused; sessions with a call in flight are
// never evicted; only when all are busy does a new session get 503. Real SDK clients, a real npm
// stdio server (server-everything).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { pino } from 'pino';
import { startBridge, type RunningBridge } from '../../bridge/bridge.js';
import { BRIDGE_RESERVE, HEADROOM, MARGIN } from '../../bridge/sessions/capacity.js';
import { EVERYTHING, INIT, JSON_HEADERS, bridgeFor, childPids, configFor, streamableClient, until } from './bridge-harness.js';

const MiB = 1024 * 1024;

async function metric(bridge: RunningBridge, name: string, labels = ''): Promise<number> {
  const text = await bridge.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

async function echo(client: Client, message: string): Promise<string> {
  const result = (await client.callTool({ name: 'echo', arguments: { message } })) as { content: { text: string }[] };
  return result.content.map((c) => c.text).join('');
}

/** A tick of Date.now() between sessions, so "longest idle" is never a tie. */
const nextMs = async () => {
  const start = Date.now();
  await until('the clock moved', () => Date.now() > start, 1000);
};

describe('capacity: eviction at the cap (--max-sessions 2, server-everything)', () => {
  let bridge: RunningBridge;
  const clients: Client[] = [];
  beforeAll(async () => {
    bridge = await bridgeFor(EVERYTHING, ['--max-sessions', '2']);
  });
  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => bridge.close(0));

  it('when one more session opens, then the longest-idle one is evicted: it gets 404, initializes again and works; its process is reclaimed', async () => {
    const before = childPids().length;
    const a = (await streamableClient(bridge.url)).client;
    clients.push(a);
    expect(await echo(a, 'a1')).toContain('a1');
    await nextMs();
    const b = (await streamableClient(bridge.url)).client;
    clients.push(b);
    expect(await echo(b, 'b1')).toContain('b1');
    await nextMs();
    const c = (await streamableClient(bridge.url)).client;
    clients.push(c);
    expect(await echo(c, 'c1')).toContain('c1');

    expect(bridge.hub.size).toBe(2);
    await expect(echo(a, 'a2')).rejects.toThrow(/404|Session not found/);
    expect(await echo(b, 'b2')).toContain('b2'); // not evicted
    const again = (await streamableClient(bridge.url)).client; // a's client initializes again
    clients.push(again);
    expect(await echo(again, 'a3')).toContain('a3');
    expect(await metric(bridge, 'mcp_bridge_evictions_total', '{reason="capacity"}')).toBe(2);
    expect(await metric(bridge, 'mcp_bridge_sessions_rejected_total', '{reason="capacity"}')).toBe(0);
    await until('evicted processes reclaimed', () => childPids().length <= before + 2, 15_000);
  });

  it('when sessions have calls in flight, then they are never evicted: an idle one is; with all busy, a new session gets 503 and /readyz turns 503', async () => {
    const busy = (await streamableClient(bridge.url)).client;
    clients.push(busy);
    await nextMs();
    const idle = (await streamableClient(bridge.url)).client;
    clients.push(idle);
    expect(await echo(idle, 'i')).toContain('i');
    const long = busy.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 3, steps: 3 } }, undefined, { timeout: 30_000 });
    await until('the long call is in flight', () => bridge.hub.inFlight === 1);

    const third = (await streamableClient(bridge.url)).client; // evicts `idle`, though `busy` is older
    clients.push(third);
    await expect(echo(idle, 'gone')).rejects.toThrow(/404|Session not found/);
    const stillBusy = third.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 2, steps: 2 } }, undefined, { timeout: 30_000 });
    await until('both sessions busy', () => bridge.hub.inFlight === 2);

    const refused = await fetch(bridge.url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(INIT) });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: number } }).error.code).toBe(-32003);
    const ready = await fetch(bridge.url.replace('/mcp', '/readyz'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, full: true, sessions: 2, maxSessions: 2 });
    expect((await fetch(bridge.url.replace('/mcp', '/healthz'))).status).toBe(200); // liveness unaffected
    expect(await metric(bridge, 'mcp_bridge_sessions_full')).toBe(1);

    await Promise.all([long, stillBusy]);
    expect((await fetch(bridge.url.replace('/mcp', '/readyz'))).status).toBe(200); // evictable again
  });
});

describe('capacity: the default cap from the memory limit, and the warm pool under the cap', () => {
  it('when the container has a memory limit, then the first server is measured and the cap follows the formula; one session over it evicts', async () => {
    // A limit that holds about 2 servers of the assumed 64 MiB beside this (test) process.
    const bridgeRss = process.memoryUsage.rss();
    const limit = Math.round((bridgeRss + BRIDGE_RESERVE + 2.5 * 64 * MiB * MARGIN) / (1 - HEADROOM));
    const bridge = await startBridge(configFor([], EVERYTHING), { log: pino({ level: 'silent' }), environment: { PATH: process.env.PATH, HOME: process.env.HOME }, processMetrics: false, memoryLimit: limit });
    const clients: Client[] = [];
    try {
      clients.push((await streamableClient(bridge.url)).client);
      await until('the first server measured', () => bridge.hub.capacity.hasMeasurement);
      const serverRss = bridge.hub.capacity.serverPrivateBytes;
      expect(serverRss).toBeGreaterThan(10 * MiB);
      expect(serverRss).toBeLessThan(400 * MiB);
      const cap = bridge.hub.capacity.max;
      expect(cap).toBeGreaterThanOrEqual(1);
      expect(cap).toBeLessThanOrEqual(6);
      expect(await metric(bridge, 'mcp_bridge_session_capacity')).toBe(cap);
      expect(await metric(bridge, 'mcp_bridge_server_private_bytes')).toBe(serverRss);
      while (clients.length < cap + 1) {
        await nextMs();
        clients.push((await streamableClient(bridge.url)).client);
      }
      expect(bridge.hub.size).toBe(bridge.hub.capacity.max);
      expect(await metric(bridge, 'mcp_bridge_evictions_total', '{reason="capacity"}')).toBeGreaterThanOrEqual(1);
    } finally {
      await Promise.allSettled(clients.map((c) => c.close()));
      await bridge.close(0);
    }
  });

  it('when --warm-pool exceeds what the cap leaves, then waiting processes plus sessions never pass the cap', async () => {
    const before = childPids().length;
    const bridge = await bridgeFor(EVERYTHING, ['--max-sessions', '2', '--warm-pool', '3']);
    const clients: Client[] = [];
    try {
      await until('the pool filled what fits', () => childPids().length - before >= 2);
      expect(childPids().length - before).toBe(2); // not 3: the cap leaves room for 2 processes
      for (let i = 0; i < 3; i++) {
        clients.push((await streamableClient(bridge.url)).client);
        await nextMs();
      }
      expect(bridge.hub.size).toBe(2);
      // Sessions (2) + waiting processes may not pass 2; evicted ones may still be stopping.
      await until('evicted processes reclaimed', () => childPids().length - before <= 2, 15_000);
    } finally {
      await Promise.allSettled(clients.map((c) => c.close()));
      await bridge.close(0);
    }
  });
});

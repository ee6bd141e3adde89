// --warm-pool-initialize: pooled processes initialized by the bridge ahead of any client. A client
// gets one only when its own initialize would have told the server the same thing (same protocol
// version, no capabilities); every other client gets a process that saw its own initialize. The
// server reports what it saw (fixtures/client-view-server.mjs), so these tests check the server's
// side, not just the client's.
import { join } from 'node:path';
import type { RunningBridge } from '../../bridge/bridge.js';
import { JSON_HEADERS, ROOT, bridgeFor, childPids, sseClient, streamableClient, textOf, until } from './bridge-harness.js';

const CLIENT_VIEW = ['node', join(ROOT, 'test/integration/fixtures/client-view-server.mjs')];

interface ClientView {
  pid: number;
  clientInfo: { name: string } | null;
  capabilities: Record<string, unknown> | null;
  initializedCount: number;
}

async function readyInPool(bridge: RunningBridge): Promise<number> {
  const text = await (await fetch(bridge.url.replace('/mcp', '/metrics'))).text();
  return Number(/^mcp_bridge_warm_pool_ready (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

async function viewOf(client: { callTool: (p: { name: string; arguments: Record<string, unknown> }) => Promise<unknown> }): Promise<ClientView> {
  return JSON.parse(textOf(await client.callTool({ name: 'client_view', arguments: {} }))) as ClientView;
}

describe('warm pool with --warm-pool-initialize', () => {
  let bridge: RunningBridge;
  beforeEach(async () => {
    bridge = await bridgeFor(CLIENT_VIEW, ['--warm-pool', '2', '--warm-pool-initialize']);
    await until('two initialized processes in the pool', async () => (await readyInPool(bridge)) === 2, 30_000);
  });
  afterEach(async () => {
    await bridge.close(1000);
  });

  it('when a client declares no capabilities, then it gets a process initialized before it came, and the server saw one initialize and one initialized', async () => {
    const waiting = childPids();
    const { client } = await streamableClient(bridge.url);
    expect(client.getServerVersion()).toEqual({ name: 'client-view', version: '1.0.0' });
    const view = await viewOf(client);
    expect(waiting).toContain(view.pid);
    expect(view.clientInfo?.name).toBe('mcp-bridge');
    expect(view.capabilities).toEqual({});
    expect(view.initializedCount).toBe(1);
    await until('the pool refilled', async () => (await readyInPool(bridge)) === 2, 30_000);
    await client.close();
  });

  it('when a client declares sampling, then it gets a fresh process that saw its own initialize (a warm one was told no capabilities)', async () => {
    const waiting = childPids();
    const { client } = await streamableClient(bridge.url, { capabilities: { sampling: {} } });
    const view = await viewOf(client);
    expect(waiting).not.toContain(view.pid);
    expect(view.clientInfo?.name).toBe('bridge-test');
    expect(view.capabilities).toEqual({ sampling: {} });
    expect(await readyInPool(bridge)).toBe(2);
    await client.close();
  });

  it('when a client asks for another protocol version, then it gets a fresh process that negotiated that version', async () => {
    const waiting = childPids();
    const init = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    const res = await fetch(bridge.url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(init) });
    expect(((await res.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe('2025-06-18');
    const headers = { ...JSON_HEADERS, 'mcp-session-id': res.headers.get('mcp-session-id') ?? '', 'mcp-protocol-version': '2025-06-18' };
    expect((await fetch(bridge.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).status).toBe(202);
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'client_view', arguments: {} } };
    const answer = (await (await fetch(bridge.url, { method: 'POST', headers, body: JSON.stringify(call) })).json()) as { result: unknown };
    const view = JSON.parse(textOf(answer.result)) as ClientView;
    expect(waiting).not.toContain(view.pid);
    expect(view.clientInfo?.name).toBe('raw');
    expect(view.initializedCount).toBe(1);
  });

  it('when a legacy SSE client connects, then it takes a warm process at its initialize (not when the stream opens)', async () => {
    const waiting = childPids();
    const { client } = await sseClient(bridge.sseUrl);
    const view = await viewOf(client);
    expect(waiting).toContain(view.pid);
    expect(view.clientInfo?.name).toBe('mcp-bridge');
    expect(view.initializedCount).toBe(1);
    await client.close();
  });
});

describe('warm pool without --warm-pool-initialize', () => {
  it('when a client connects, then the pooled process sees the client\'s own initialize', async () => {
    const bridge = await bridgeFor(CLIENT_VIEW, ['--warm-pool', '1']);
    await until('one process in the pool', async () => (await readyInPool(bridge)) === 1, 30_000);
    const waiting = childPids();
    const { client } = await streamableClient(bridge.url);
    const view = await viewOf(client);
    expect(waiting).toContain(view.pid);
    expect(view.clientInfo?.name).toBe('bridge-test');
    await client.close();
    await bridge.close(1000);
  });
});

describe('warm pool with --warm-pool-initialize, taken while its process is still initializing', () => {
  // The refill of a pool of one is spawned 100 ms after a take; a server that answers initialize
  // late (--start-delay-ms) keeps it "starting" long enough for the next session to take it then.
  it('when a session takes a process whose warm initialize has not been answered yet, then it gets that answer as soon as the server gives it', async () => {
    const slowFixture = ['node', join(ROOT, 'test/fixtures/fixture-server.mjs'), '--start-delay-ms', '1500'];
    const bridge = await bridgeFor(slowFixture, ['--warm-pool', '1', '--warm-pool-initialize']);
    try {
      await until('one initialized process in the pool', async () => (await readyInPool(bridge)) === 1, 30_000);
      const first = await streamableClient(bridge.url);
      const spawned = async (): Promise<number> => Number(/^mcp_bridge_child_spawns_total (\d+)$/m.exec(await (await fetch(bridge.url.replace('/mcp', '/metrics'))).text())?.[1]);
      await until('the refill spawned, not yet initialized', async () => (await spawned()) === 2, 10_000);
      expect(await readyInPool(bridge)).toBe(0);
      const firstPid = (JSON.parse(textOf(await first.client.callTool({ name: 'whoami', arguments: {} }))) as { pid: number }).pid;
      const starting = childPids().filter((pid) => pid !== firstPid);
      expect(starting).toHaveLength(1);
      const startedAt = Date.now();
      const second = await streamableClient(bridge.url);
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      // Taken from the pool while starting, not spawned anew.
      expect((JSON.parse(textOf(await second.client.callTool({ name: 'whoami', arguments: {} }))) as { pid: number }).pid).toBe(starting[0]);
      expect(textOf(await second.client.callTool({ name: 'echo', arguments: { message: 'second' } }))).toBe('second');
      expect(textOf(await first.client.callTool({ name: 'echo', arguments: { message: 'first' } }))).toBe('first');
      await Promise.all([first.client.close(), second.client.close()]);
    } finally {
      await bridge.close(1000);
    }
  });
});

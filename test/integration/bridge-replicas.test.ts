// Several replicas of one McpServer behind a load balancer that spreads every request (like a plain
// ClusterIP Service): sessions keep working because each replica relays to the session's owner.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, JSON_HEADERS, bridgeFor, rawSession, roundRobin, sseClient, streamableClient, textOf, until } from './bridge-harness.js';

describe('replicas behind a load balancer without affinity', () => {
  let replicas: RunningBridge[];
  let lb: Awaited<ReturnType<typeof roundRobin>>;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-key-'));
    writeFileSync(join(dir, 'key'), 'one key shared by every replica of this server\n');
    replicas = await Promise.all([1, 2, 3].map(() => bridgeFor(FIXTURE, ['--session-key-file', join(dir, 'key')])));
    lb = await roundRobin(replicas.map((r) => r.url.replace('/mcp', '')));
  });
  afterAll(async () => {
    await lb.close();
    await Promise.all(replicas.map((r) => r.close(0)));
  });

  it('when a Streamable HTTP client talks through it, then every call works although requests land on every replica', async () => {
    const { client } = await streamableClient(`${lb.url}/mcp`);
    const pids = new Set<number>();
    for (let i = 0; i < 9; i++) {
      const who = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as { pid: number };
      pids.add(who.pid);
    }
    // One session, one process (on its owner), whichever replica the request reached.
    expect(pids.size).toBe(1);
    expect(lb.hits.every((h) => h > 0)).toBe(true);
    expect(replicas.reduce((n, r) => n + r.hub.size, 0)).toBe(1);
    await client.close();
  });

  it('when a legacy SSE client talks through it, then its messages reach the stream owner', async () => {
    const { client } = await sseClient(`${lb.url}/sse`);
    for (let i = 0; i < 4; i++) expect(textOf(await client.callTool({ name: 'echo', arguments: { message: `m${i}` } }))).toBe(`m${i}`);
    await client.close();
  });

  it('when the owner replica is gone, then the session answers 404 everywhere, so the client re-initializes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-key-'));
    writeFileSync(join(dir, 'key'), 'another key\n');
    const [a, b] = await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, ['--session-key-file', join(dir, 'key')])));
    if (a === undefined || b === undefined) throw new Error('replicas');
    const session = await rawSession(a.url);
    const viaB = () => fetch(b.url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    const alive = await viaB();
    expect(alive.status).toBe(200);
    await alive.text();
    await a.close(0);
    const gone = await viaB();
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: -32001 } });
    await b.close(0);
  });

  it('when the relaying replica shuts down mid-call, then the relayed call still completes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-key-'));
    writeFileSync(join(dir, 'key'), 'relay drain key\n');
    const [owner, relay] = await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, ['--session-key-file', join(dir, 'key')])));
    if (owner === undefined || relay === undefined) throw new Error('replicas');
    const session = await rawSession(owner.url);
    const call = fetch(relay.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-session-id': session },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow', arguments: { ms: 800 } } }),
    });
    await until('the relayed call reached the owner', () => owner.hub.inFlight === 1);
    const closing = relay.close(10_000);
    const res = await call;
    expect(res.status).toBe(200);
    expect(textOf(((await res.json()) as { result: unknown }).result)).toBe('slept 800');
    await closing;
    await owner.close(0);
  });
});

// docs/design.md §4c: a shared-mode session's state rides in its id, so a replica adopts it when the owner is gone.
describe('shared-mode sessions outlive their replica', () => {
  const keyFile = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-key-'));
    writeFileSync(join(dir, 'key'), `adoption key ${dir}\n`);
    return join(dir, 'key');
  };

  it('when the owner replica is gone, then another replica adopts the session under the same id and serves it', async () => {
    const key = keyFile();
    const [a, b] = await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, ['--session-mode', 'shared', '--session-key-file', key])));
    if (a === undefined || b === undefined) throw new Error('replicas');
    const session = await rawSession(a.url, '2025-06-18');
    const viaB = (id: number) =>
      fetch(b.url, {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${String(id)}` } } }),
      });
    const relayed = await viaB(1);
    expect(relayed.status).toBe(200);
    expect(JSON.stringify(await relayed.json())).toContain('m1');
    expect(b.hub.size).toBe(0);
    await a.close(0);
    const adopted = await viaB(2);
    expect(adopted.status).toBe(200);
    expect(JSON.stringify(await adopted.json())).toContain('m2');
    expect(b.hub.get(session)?.protocolVersion).toBe('2025-06-18');
    expect(await (await fetch(b.url.replace('/mcp', '/metrics'))).text()).toMatch(/^mcp_bridge_sessions_adopted_total 1$/m);
    // Served locally from now on, and ended by DELETE like any session of this replica.
    expect((await viaB(3)).status).toBe(200);
    const del = await fetch(b.url, { method: 'DELETE', headers: { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } });
    expect(del.status).toBe(200);
    expect((await viaB(4)).status).toBe(404);
    await b.close(0);
  });

  it('when the owner replica has ended its drain but still answers, then a relayed request is adopted, not answered 404 by the owner', async () => {
    const key = keyFile();
    const [a, b] = await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, ['--session-mode', 'shared', '--session-key-file', key])));
    if (a === undefined || b === undefined) throw new Error('replicas');
    const session = await rawSession(a.url, '2025-06-18');
    // The window between the end of A's drain (its sessions ended) and its port closing: A still answers.
    await a.hub.drain(0);
    const viaB = await fetch(b.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'after the drain' } } }),
    });
    expect(viaB.status).toBe(200);
    expect(JSON.stringify(await viaB.json())).toContain('after the drain');
    expect(b.hub.get(session)?.protocolVersion).toBe('2025-06-18');
    // Straight to A (no relay): its answer is its own, a clean 503 without the relay-only marker.
    const direct = await fetch(a.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    });
    expect(direct.status).toBe(503);
    expect(direct.headers.get('x-mcp-bridge-owner-gone')).toBeNull();
    await Promise.all([a.close(0), b.close(0)]);
  });

  it('when a replica restarts on its address (a crashed container), then its earlier sessions are adopted by the new process, not 404', async () => {
    const key = keyFile();
    const before = await bridgeFor(FIXTURE, ['--session-mode', 'shared', '--session-key-file', key]);
    const session = await rawSession(before.url, '2025-06-18');
    const call = (url: string, id: number) =>
      fetch(url, {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${String(id)}` } } }),
      });
    expect((await call(before.url, 1)).status).toBe(200);
    await before.close(0);
    // The same address (what the pod's IP and port are to other replicas) and key, a new process that never
    // saw the session. Advertised rather than bound again: the freed port may be taken meanwhile on a busy host.
    const after = await bridgeFor(FIXTURE, ['--session-mode', 'shared', '--session-key-file', key, '--advertise-address', `127.0.0.1:${String(before.port)}`]);
    const again = await call(after.url, 2);
    expect(again.status).toBe(200);
    expect(JSON.stringify(await again.json())).toContain('m2');
    expect(after.hub.get(session)?.protocolVersion).toBe('2025-06-18');
    // Ended by the client: stays ended in this run.
    expect((await fetch(after.url, { method: 'DELETE', headers: { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } })).status).toBe(200);
    expect((await call(after.url, 3)).status).toBe(404);
    await after.close(0);
  });

  it("when an SDK client's owner replica goes away behind the load balancer, then its next calls work without a new initialize", async () => {
    const key = keyFile();
    const replicas = await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, ['--session-mode', 'shared', '--session-key-file', key])));
    const lb = await roundRobin(replicas.map((r) => r.url.replace('/mcp', '')));
    const { client, transport } = await streamableClient(`${lb.url}/mcp`);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'before' } }))).toBe('before');
    const ownerIndex = replicas.findIndex((r) => r.hub.size === 1);
    const owner = replicas[ownerIndex];
    const survivor = replicas[1 - ownerIndex];
    if (owner === undefined || survivor === undefined) throw new Error('one replica owns the session');
    const id = transport.sessionId;
    // The owner's pod is gone and the Service routes only to the survivor.
    lb.backends.splice(0, lb.backends.length, survivor.url.replace('/mcp', ''));
    await owner.close(0);
    for (let i = 0; i < 3; i++) expect(textOf(await client.callTool({ name: 'echo', arguments: { message: `after ${String(i)}` } }))).toBe(`after ${String(i)}`);
    expect(transport.sessionId).toBe(id);
    expect(survivor.hub.size).toBe(1);
    await client.close();
    await lb.close();
    await survivor.close(0);
  });

  it("when the session is per-session (its state is a process), then the owner's loss still means 404", async () => {
    const key = keyFile();
    const [a, b] = await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, ['--session-key-file', key])));
    if (a === undefined || b === undefined) throw new Error('replicas');
    const session = await rawSession(a.url);
    expect(session.split('.')).toHaveLength(3);
    await a.close(0);
    const res = await fetch(b.url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(res.status).toBe(404);
    await res.text();
    await b.close(0);
  });
});

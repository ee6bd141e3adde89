// Several replicas of one McpServer behind a load balancer that spreads every request (like a plain
// ClusterIP Service): sessions keep working because each replica relays to the session's owner.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, JSON_HEADERS, bridgeFor, rawSession, sseClient, streamableClient, textOf, until } from './bridge-harness.js';

/** Round-robin HTTP proxy: each request goes to the next backend, no affinity at all. */
async function roundRobin(backends: string[]): Promise<{ url: string; server: Server; hits: number[] }> {
  const hits = backends.map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const i = next++ % backends.length;
    hits[i] = (hits[i] ?? 0) + 1;
    const target = new URL(backends[i] ?? '');
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    res.once('close', () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

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
    lb.server.closeAllConnections();
    await new Promise((resolve) => lb.server.close(resolve));
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

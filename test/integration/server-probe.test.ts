// The operator's MCP probe (operator/probe/mcp-probe.ts) against real servers on port 0: the bridge in
// both session modes (with and without its bearer token), the official SDK's 2025-era stateful
// Streamable HTTP server (legacy only), the v2 SDK's 2026-07-28 handler (modern only, and dual-era),
// an HTTP server that is not MCP, a closed port, and a server that never answers.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpServer as V1McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import type { RunningBridge } from '../../bridge/bridge.js';
import { probeServer, type ProbeOptions } from '../../operator/probe/mcp-probe.js';
import { EVERYTHING, bridgeFor, childPids } from './bridge-harness.js';

const CLIENT = { name: 'mcp-sidecar-operator', version: 'test' };
const probe = (url: string, extra: Partial<ProbeOptions> = {}) =>
  probeServer(url, { clientInfo: CLIENT, signal: AbortSignal.timeout(20_000), ...extra });

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/mcp` });
    });
  });
}
const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** node:http → the v2 SDK's web-standard handler (what @modelcontextprotocol/node does). */
function webHandler(handler: { fetch: (r: Request) => Promise<Response> }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
      void handler.fetch(new Request(`http://127.0.0.1${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) })).then(async (r) => {
        res.writeHead(r.status, Object.fromEntries(r.headers.entries()));
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    });
  };
}

function v2Server(): McpServer {
  const server = new McpServer({ name: 'probe-target-v2', version: '2.0.0' });
  server.registerTool('noop', { description: 'does nothing' }, () => ({ content: [] }));
  return server;
}

describe('the operator probe against the bridge', () => {
  let bridge: RunningBridge | undefined;
  afterEach(async () => {
    await bridge?.close(1000);
    bridge = undefined;
  });

  it('when the bridge runs in shared mode, then server/discover answers with both eras and the server behind it', async () => {
    bridge = await bridgeFor(EVERYTHING, ['--session-mode', 'shared']);
    const result = await probe(bridge.url);
    expect(result).toMatchObject({ ok: true, method: 'discover', name: 'mcp-servers/everything' });
    if (!result.ok) throw new Error('unreachable');
    expect(result.protocolVersions).toEqual(expect.arrayContaining(['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26']));
    expect(typeof result.version).toBe('string');
  });

  it('when the bridge runs in per-session mode, then server/discover answers with both eras, and probing again starts no further process', async () => {
    bridge = await bridgeFor(EVERYTHING, []);
    const before = childPids();
    const result = await probe(bridge.url);
    expect(result).toMatchObject({ ok: true, method: 'discover', name: 'mcp-servers/everything' });
    if (!result.ok) throw new Error('unreachable');
    expect(result.protocolVersions).toEqual(expect.arrayContaining(['2026-07-28', '2025-11-25']));
    // The bridge answers modern requests from a pool of initialized workers and keeps one: the probe's.
    const afterFirst = childPids().filter((p) => !before.includes(p));
    expect(afterFirst.length).toBeLessThanOrEqual(1);
    await expect(probe(bridge.url)).resolves.toMatchObject({ ok: true, method: 'discover' });
    expect(childPids().filter((p) => !before.includes(p))).toEqual(afterFirst);
  });

  it('when the bridge wants a bearer token, then the probe with the token is answered and one without gets ProbeFailed (401)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-token-'));
    writeFileSync(join(dir, 'token'), 's3cret\n');
    bridge = await bridgeFor(EVERYTHING, ['--session-mode', 'shared', '--auth-token-file', join(dir, 'token')]);
    await expect(probe(bridge.url, { token: 's3cret' })).resolves.toMatchObject({ ok: true, method: 'discover' });
    const denied = await probe(bridge.url);
    expect(denied).toMatchObject({ ok: false, reason: 'ProbeFailed' });
    expect(denied.ok ? '' : denied.message).toMatch(/^server\/discover: HTTP 401/);
  });
});

describe('the operator probe against other servers', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server !== undefined) await close(server);
    server = undefined;
  });

  it('when a 2025-era server (the SDK v1 stateful transport) is probed, then it falls back to initialize over SSE, and ends the session with DELETE', async () => {
    const transports = new Map<string, StreamableHTTPServerTransport>();
    const closed: string[] = [];
    const initialized: string[] = [];
    const started = await listen((req, res) => {
      const id = req.headers['mcp-session-id'];
      const existing = typeof id === 'string' ? transports.get(id) : undefined;
      if (existing !== undefined) {
        void existing.handleRequest(req, res);
        return;
      }
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => {
          transports.set(sid, transport);
        },
        onsessionclosed: (sid) => {
          closed.push(sid);
        },
      });
      const mcp = new V1McpServer({ name: 'legacy-only', version: '1.2.3' });
      mcp.server.oninitialized = () => {
        initialized.push(transport.sessionId ?? '');
      };
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
    server = started.server;
    const result = await probe(started.url);
    expect(result).toEqual({ ok: true, method: 'initialize', name: 'legacy-only', version: '1.2.3', protocolVersions: ['2025-11-25'] });
    expect(initialized).toHaveLength(1);
    expect(closed).toEqual(initialized);
  });

  it('when a modern-only server (SDK v2, legacy rejected) is probed, then server/discover lists 2026-07-28 alone', async () => {
    const handler = createMcpHandler(() => v2Server(), { legacy: 'reject' });
    const started = await listen(webHandler(handler));
    server = started.server;
    await expect(probe(started.url)).resolves.toEqual({
      ok: true,
      method: 'discover',
      name: 'probe-target-v2',
      version: '2.0.0',
      protocolVersions: ['2026-07-28'],
    });
    await handler.close();
  });

  it('when a dual-era SDK v2 server is probed, then server/discover answers (no initialize needed)', async () => {
    const handler = createMcpHandler(() => v2Server());
    const started = await listen(webHandler(handler));
    server = started.server;
    await expect(probe(started.url)).resolves.toMatchObject({ ok: true, method: 'discover', name: 'probe-target-v2' });
    await handler.close();
  });

  it('when an HTTP server that is not MCP is probed, then NotAnMcpServer says what it answered', async () => {
    const started = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    server = started.server;
    const result = await probe(started.url);
    expect(result).toMatchObject({ ok: false, reason: 'NotAnMcpServer' });
    expect(result.ok ? '' : result.message).toContain('HTTP 200 (text/plain): ok');
  });

  it('when nothing listens on the port, then the probe reports Unreachable', async () => {
    const started = await listen(() => undefined);
    await close(started.server);
    const result = await probe(started.url);
    expect(result).toMatchObject({ ok: false, reason: 'Unreachable' });
    expect(result.ok ? '' : result.message).toMatch(/^server\/discover: .*ECONNREFUSED/);
  });

  it('when the server never answers, then the probe ends at the caller\'s deadline with Unreachable', async () => {
    const started = await listen(() => undefined);
    server = started.server;
    const t0 = Date.now();
    const result = await probe(started.url, { signal: AbortSignal.timeout(300) });
    expect(result).toEqual({ ok: false, reason: 'Unreachable', message: 'server/discover: no answer in time' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

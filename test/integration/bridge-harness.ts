// Starts a real bridge in-process on port 0 in front of a real stdio server, and connects the
// official SDK clients to it. Shared by the bridge's integration tests.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pino } from 'pino';
import { startBridge, type RunningBridge } from '../../bridge/bridge.js';
import { parseConfig, type BridgeConfig } from '../../bridge/config.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE = ['node', join(ROOT, 'test/fixtures/fixture-server.mjs')];
export const EVERYTHING = ['node', join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'];
export const FILESYSTEM = (dir: string) => ['node', join(ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js'), dir];
export const MEMORY = ['node', join(ROOT, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js')];

export function configFor(flags: string[], command: string[]): BridgeConfig {
  const parsed = parseConfig([...flags, '--port', '0', '--host', '127.0.0.1', '--', ...command], {});
  if (parsed.kind !== 'config') throw new Error('expected a config');
  return parsed.config;
}

export async function bridgeFor(command: string[], flags: string[] = [], environment: Record<string, string> = {}): Promise<RunningBridge> {
  return startBridge(configFor(flags, command), {
    log: pino({ level: process.env.BRIDGE_TEST_LOG ?? 'silent' }),
    environment: { PATH: process.env.PATH, HOME: process.env.HOME, ...environment },
    processMetrics: false,
  });
}

export async function streamableClient(url: string, options: { capabilities?: Record<string, unknown> } = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'bridge-test', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

// The legacy transport is deprecated in the SDK, and exactly what these tests must keep working.
// eslint-disable-next-line @typescript-eslint/no-deprecated
export async function sseClient(url: string): Promise<{ client: Client; transport: SSEClientTransport }> {
  const client = new Client({ name: 'bridge-test-sse', version: '1.0.0' });
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const transport = new SSEClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

/** Waits for a condition, checking on each turn of the event loop's timers, up to a deadline. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Pids of live processes whose parent is this test process (the bridge's children). */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // the process ended between readdir and read: not a child any more
    }
  }
  return pids;
}

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export const INIT = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** A raw initialize over fetch; returns the session id. */
export async function rawSession(url: string, protocolVersion = '2025-11-25'): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ ...INIT, params: { ...INIT.params, protocolVersion } }) });
  await res.text();
  const id = res.headers.get('mcp-session-id');
  if (res.status !== 200 || id === null) throw new Error(`initialize failed: ${res.status}`);
  return id;
}

/** A raw request of a 2025-era session (its id and version in the headers), answered as it comes. */
export function sessionPost(url: string, session: string, id: number, method: string, params: Record<string, unknown>, protocolVersion = '2025-06-18'): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { ...JSON_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': protocolVersion },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
  });
}

/** The 2026-07-28 per-request envelope (client capabilities as given). */
export function modernMeta(capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': capabilities,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-modern', version: '1' },
    ...extra,
  };
}

/** A raw 2026-07-28 request: envelope in params._meta, and the standard headers mirrored from the body. */
export async function modernPost(
  url: string,
  id: string | number,
  method: string,
  params: Record<string, unknown> = {},
  options: { capabilities?: Record<string, unknown>; meta?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<Response> {
  const name = typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined;
  const headers: Record<string, string> = { ...JSON_HEADERS, 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name !== undefined ? { 'mcp-name': name } : {}), ...options.headers };
  const body = { jsonrpc: '2.0', id, method, params: { ...params, _meta: modernMeta(options.capabilities, options.meta) } };
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** Round-robin HTTP proxy: each request goes to the next backend, no affinity at all (the test may change `backends`). */
export async function roundRobin(backends: string[]): Promise<{ url: string; server: Server; hits: number[]; backends: string[]; close: () => Promise<void> }> {
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
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits, backends, close };
}

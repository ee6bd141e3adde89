// Refusals on the wire and slow clients. Every early answer (401, 415, 400, 503, 413) reaches a client
// that is still uploading its body as the status, every time, with fetch (undici), httpx and curl.
// Slow or stalled requests (slowloris) get 408 and a closed connection within their limit, while SSE
// streams and long tool calls (the answer, not the request, takes long) are never cut.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, INIT, JSON_HEADERS, ROOT, bridgeFor, rawSession, until } from './bridge-harness.js';

const run = promisify(execFile);
const PYTHON = join(ROOT, '.venv/bin/python');
const N = 8;
/** Bigger than loopback socket buffers: the client is still sending when the bridge answers. */
const BODY = 3 * 1024 * 1024;
const SESSION_HEADERS = (id: string) => ({ ...JSON_HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });

function paddedBody(bytes: number, valid = true): string {
  const pad = 'x'.repeat(bytes);
  return valid ? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad } }) : `{"jsonrpc": "2.0", ${pad}`;
}

async function viaFetch(url: string, headers: Record<string, string>, body: string): Promise<(number | string)[]> {
  const seen: (number | string)[] = [];
  for (let i = 0; i < N; i++) {
    try {
      const res = await fetch(url, { method: 'POST', headers, body });
      await res.text();
      seen.push(res.status);
    } catch (err) {
      seen.push(String((err as { cause?: { code?: string } }).cause?.code ?? err));
    }
  }
  return seen;
}

async function viaHttpx(url: string, headers: Record<string, string>, file: string): Promise<(number | string)[]> {
  if (!existsSync(PYTHON)) throw new Error('.venv is missing: run hack/setup.sh');
  const { stdout } = await run(PYTHON, [join(ROOT, 'test/python/wire_refusals.py'), url, String(N), file, JSON.stringify(headers)], { timeout: 60_000 });
  return JSON.parse(stdout) as (number | string)[];
}

async function viaCurl(url: string, headers: Record<string, string>, file: string): Promise<(number | string)[]> {
  // One curl, N transfers (--next) on one kept-alive connection, as a script with a pooled client would.
  const args: string[] = [];
  for (let i = 0; i < N; i++) {
    if (i > 0) args.push('--next');
    args.push('-s', '-o', '/dev/null', '-w', '%{http_code} %{exitcode}\n', '--data-binary', `@${file}`, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url);
  }
  const { stdout } = await run('curl', args, { timeout: 60_000 }).catch((err: unknown) => ({ stdout: (err as { stdout?: string }).stdout ?? '' }));
  return stdout.trim().split('\n').map((line) => (/^\d+ 0$/.test(line) ? Number(line.split(' ')[0]) : line));
}

/** All three clients, N times each: every answer must be `status`. */
async function everyClientSees(url: string, headers: Record<string, string>, body: string, status: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wire-'));
  writeFileSync(join(dir, 'body'), body);
  const expected = Array.from({ length: N }, () => status);
  expect({ fetch: await viaFetch(url, headers, body) }).toEqual({ fetch: expected });
  expect({ httpx: await viaHttpx(url, headers, join(dir, 'body')) }).toEqual({ httpx: expected });
  expect({ curl: await viaCurl(url, headers, join(dir, 'body')) }).toEqual({ curl: expected });
}

describe('early refusals reach clients that are still sending', () => {
  let bridge: RunningBridge;
  let authed: RunningBridge;
  let session: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-auth-'));
    writeFileSync(join(dir, 'token'), 'tok');
    [bridge, authed] = await Promise.all([bridgeFor(FIXTURE, ['--max-sessions', '1']), bridgeFor(FIXTURE, ['--auth-token-file', join(dir, 'token')])]);
    session = await rawSession(bridge.url);
  });
  afterAll(() => Promise.all([bridge.close(0), authed.close(0)]));

  it('when the bearer token is missing, then 401 every time', async () => {
    await everyClientSees(authed.url, JSON_HEADERS, paddedBody(BODY), 401);
  });

  it('when the content type is wrong, then 415 every time', async () => {
    await everyClientSees(bridge.url, { ...SESSION_HEADERS(session), 'content-type': 'text/plain' }, paddedBody(BODY), 415);
  });

  it('when the body is not JSON, then 400 every time', async () => {
    await everyClientSees(bridge.url, SESSION_HEADERS(session), paddedBody(BODY, false), 400);
  });

  it('when the body is over --max-body (4 MiB), then 413 every time', async () => {
    await everyClientSees(bridge.url, SESSION_HEADERS(session), paddedBody(6 * 1024 * 1024), 413);
  });

  it('when the bridge is at its cap with every session busy, then 503 every time', async () => {
    const call = fetch(bridge.url, { method: 'POST', headers: SESSION_HEADERS(session), body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'slow', arguments: { ms: 20_000 } } }) });
    await until('the session is busy', () => bridge.hub.inFlight === 1);
    const init = JSON.stringify({ ...INIT, params: { ...INIT.params, pad: 'x'.repeat(BODY) } });
    await everyClientSees(bridge.url, JSON_HEADERS, init, 503);
    await fetch(bridge.url, { method: 'POST', headers: SESSION_HEADERS(session), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 9 } }) });
    await call.then((r) => r.text()).catch(() => undefined); // cancelled: the POST ends without an answer
  });
});

/** A raw connection: what came back, and when it closed (ms after open). */
function rawConnection(port: number): { socket: Socket; received: () => string; closedAfter: Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  const opened = Date.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => undefined); // a reset after the answer is a close too
  const closedAfter = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened)));
  return { socket, received: () => text, closedAfter };
}

/** Writes the parts one after another, `everyMs` apart, while the socket is open. */
function trickle(socket: Socket, parts: string[], everyMs: number): void {
  const timer = setInterval(() => {
    const next = parts.shift();
    if (next === undefined || socket.destroyed) return clearInterval(timer);
    socket.write(next);
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

describe('slow clients (--headers-timeout 1 --request-timeout 3 --body-timeout 1)', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--headers-timeout', '1', '--request-timeout', '3', '--body-timeout', '1']);
  });
  afterAll(() => bridge.close(0));

  it('when headers trickle in slower than --headers-timeout, then 408 and the connection closes within the limit', async () => {
    const c = rawConnection(bridge.port);
    trickle(c.socket, ['POST /mcp HTTP/1.1\r\n', 'Host: 127.0.0.1\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n', 'X-C: 3\r\n', 'X-D: 4\r\n', 'X-E: 5\r\n', 'X-F: 6\r\n'], 300);
    const ms = await c.closedAfter;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(1000 + 1500);
  });

  it('when a body stalls for --body-timeout, then 408 with a JSON-RPC error and the connection closes', async () => {
    const session = await rawSession(bridge.url);
    const c = rawConnection(bridge.port);
    c.socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Session-Id: ${session}\r\nMcp-Protocol-Version: 2025-11-25\r\nContent-Length: 100\r\n\r\n{"jsonrpc":`);
    const ms = await c.closedAfter;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(c.received()).toMatch(/--body-timeout/);
    expect(ms).toBeLessThan(1000 + 1500);
  });

  it('when a body trickles (never idle long enough) past --request-timeout, then 408 and close within that limit', async () => {
    const c = rawConnection(bridge.port);
    c.socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n');
    trickle(c.socket, Array.from({ length: 100 }, () => ' '), 300);
    const ms = await c.closedAfter;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(3000 - 100);
    expect(ms).toBeLessThan(3000 + 1500);
  });

  it('when an SSE stream stays open and a tool call takes longer than every limit, then neither is cut', async () => {
    const session = await rawSession(bridge.url);
    const controller = new AbortController();
    const stream = await fetch(bridge.url, { headers: SESSION_HEADERS(session), signal: controller.signal });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const started = Date.now();
    const call = await fetch(bridge.url, { method: 'POST', headers: SESSION_HEADERS(session), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow', arguments: { ms: 4500 } } }) });
    expect(call.status).toBe(200);
    expect(await call.text()).toContain('slept 4500');
    expect(Date.now() - started).toBeGreaterThan(4000);
    // The GET stream outlived every limit too: still attached, and it ends only when the session does.
    expect(bridge.hub.get(session)?.hasOpenStream()).toBe(true);
    const deleted = await fetch(bridge.url, { method: 'DELETE', headers: SESSION_HEADERS(session) });
    expect(deleted.status).toBe(200);
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    controller.abort();
  });
});

// Every refusal the bridge makes: the HTTP status, a JSON-RPC error body, promptly, and nothing
// reaching a server process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, INIT, JSON_HEADERS, bridgeFor, rawSession, until } from './bridge-harness.js';

type Body = { jsonrpc: string; id: unknown; error: { code: number; message: string } };

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Body, headers: res.headers };
}

const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

describe('bridge error responses', () => {
  let bridge: RunningBridge;
  let session: string;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--max-body', '2048']);
    session = await rawSession(bridge.url);
  });
  afterAll(() => bridge.close(0));

  it('when the session id is unknown, then 404 with -32001', async () => {
    const r = await post(bridge.url, LIST, { 'mcp-session-id': 'no-such-session' });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001 } });
  });

  it('when a session id is forged with another owner, then 404 and it is never proxied', async () => {
    const [nonce, , mac] = session.split('.');
    const forged = `${nonce}.${Buffer.from('203.0.113.9:80').toString('base64url')}.${mac}`;
    const r = await post(bridge.url, LIST, { 'mcp-session-id': forged });
    expect(r.status).toBe(404);
  });

  it('when a non-initialize request has no session id, then 400', async () => {
    const r = await post(bridge.url, LIST);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/Mcp-Session-Id/);
  });

  it('when a request names 2026-07-28 in its header but has no per-request envelope, then 400 -32602 naming what is missing, and no session', async () => {
    const started = Date.now();
    const r = await post(bridge.url, { jsonrpc: '2.0', id: 1, method: 'server/discover', params: {} }, { 'mcp-protocol-version': '2026-07-28' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(-32602);
    expect(r.body.error.message).toMatch(/envelope/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(bridge.hub.size).toBe(1);
  });

  it('when the protocol version header is unsupported, then 400', async () => {
    const r = await post(bridge.url, LIST, { 'mcp-session-id': session, 'mcp-protocol-version': '1999-01-01' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/unsupported MCP-Protocol-Version/);
  });

  it('when the protocol version header is an identical duplicate (LiteLLM), then it is accepted', async () => {
    const res = await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18, 2025-06-18' }, body: JSON.stringify(LIST) });
    expect(res.status).toBe(200);
    await res.text();
  });

  it('when Accept lacks text/event-stream, then 406', async () => {
    const r = await post(bridge.url, INIT, { accept: 'application/json' });
    expect(r.status).toBe(406);
  });

  it('when Content-Type is not JSON, then 415', async () => {
    const r = await post(bridge.url, INIT, { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
  });

  it('when the body is over --max-body, then 413', async () => {
    const r = await post(bridge.url, { ...LIST, params: { pad: 'x'.repeat(4096) } }, { 'mcp-session-id': session });
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/--max-body/);
  });

  it('when the body is over the limit and sent chunked without a length, then 413 too', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': session, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('when fetch clients keep sending a body far over --max-body, then every one of them gets the 413 (not EPIPE or a reset)', async () => {
    // 8 MiB (more than loopback socket buffers hold) against a 2 KiB limit: the client is still sending when the bridge decides. Before the
    // bridge drained the rest, fetch failed with "other side closed"/EPIPE in some of the tries.
    const big = JSON.stringify({ ...LIST, params: { pad: 'x'.repeat(8 * 1024 * 1024) } });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': session }, body: big });
      statuses.push(res.status);
      expect(((await res.json()) as Body).error.message).toMatch(/--max-body/);
    }
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 413));
  });

  it('when a path or method is wrong, then the answer names the right one; /health is an alias of /healthz', async () => {
    expect((await fetch(bridge.url.replace('/mcp', '/health'))).status).toBe(200);
    const notFound = await fetch(bridge.url.replace('/mcp', '/nope'));
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as Body).error.message).toMatch(/\/mcp.*\/sse.*\/healthz/);
    const postSse = await fetch(bridge.url.replace('/mcp', '/sse'), { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(INIT) });
    expect(postSse.status).toBe(405);
    expect(((await postSse.json()) as Body).error.message).toMatch(/GET \/sse.*POST to \/mcp/);
  });

  it('when the body is not JSON, then 400 with -32700', async () => {
    const r = await post(bridge.url, '{"jsonrpc": "2.0", ', { 'mcp-session-id': session });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(-32700);
  });

  it('when the body is JSON but not JSON-RPC, then 400 with -32600', async () => {
    const r = await post(bridge.url, { hello: 'world' }, { 'mcp-session-id': session });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(-32600);
  });

  it('when a batch is sent in protocol 2025-11-25, then 400; in 2025-03-26 it is answered', async () => {
    const r = await post(bridge.url, [LIST, { ...LIST, id: 2 }], { 'mcp-session-id': session });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/batches/);
    const old = await rawSession(bridge.url, '2025-03-26');
    const res = await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': old }, body: JSON.stringify([LIST, { ...LIST, id: 'two' }]) });
    expect(res.status).toBe(200);
    const answers = (await res.json()) as { id: unknown }[];
    expect(answers.map((a) => a.id).sort()).toEqual([1, 'two']);
  });

  it('when initialize is sent again on a session, then 400', async () => {
    const r = await post(bridge.url, INIT, { 'mcp-session-id': session });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/already initialized/);
  });

  it('when another method is used, then 405 with Allow', async () => {
    const res = await fetch(bridge.url, { method: 'PUT', headers: JSON_HEADERS, body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST, DELETE');
    expect(((await res.json()) as Body).error.code).toBe(-32000);
  });

  it('when a second GET stream is opened on a session, then 409', async () => {
    const first = await fetch(bridge.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': session } });
    expect(first.status).toBe(200);
    const second = await fetch(bridge.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': session } });
    expect(second.status).toBe(409);
    await second.text();
    await first.body?.cancel();
  });

  it('when a present Origin is foreign, then 403; localhost and no Origin are fine', async () => {
    expect((await post(bridge.url, INIT, { origin: 'https://evil.example.com' })).status).toBe(403);
    const local = await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, origin: 'http://localhost:3000' }, body: JSON.stringify(INIT) });
    expect(local.status).toBe(200);
    await local.text();
  });

  it('when bound to loopback and the Host is foreign (DNS rebinding), then 403', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, host: 'evil.example.com' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify(INIT));
    });
    expect(status).toBe(403);
  });

  it('when the legacy message endpoint gets an unknown session, then 404 at once (no hang)', async () => {
    const r = await post(bridge.sseUrl.replace('/sse', '/message?sessionId=nope'), LIST);
    expect(r.status).toBe(404);
  });

  it('when the legacy message endpoint gets no session id, then 400', async () => {
    const r = await post(bridge.sseUrl.replace('/sse', '/message'), LIST);
    expect(r.status).toBe(400);
  });

  it('when the path is unknown, then 404 with a JSON-RPC body', async () => {
    const r = await post(bridge.url.replace('/mcp', '/nope'), LIST);
    expect(r.status).toBe(404);
    expect(r.body.jsonrpc).toBe('2.0');
  });
});

describe('bridge capacity and auth', () => {
  it('when --max-sessions is reached and every session has a call in flight, then new sessions get 503 and readiness turns false', async () => {
    const bridge = await bridgeFor(FIXTURE, ['--max-sessions', '1']);
    const busy = await rawSession(bridge.url);
    // Only a session with nothing in flight may be evicted for a new one (bridge-capacity.test.ts).
    const call = fetch(bridge.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-session-id': busy, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow', arguments: { ms: 3000 } } }),
    });
    await until('the call is in flight', () => bridge.hub.inFlight === 1);
    const r = await post(bridge.url, INIT);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.body.error.code).toBe(-32003);
    expect((await fetch(bridge.url.replace('/mcp', '/readyz'))).status).toBe(503);
    const sse = await fetch(bridge.sseUrl);
    expect(sse.status).toBe(503);
    await sse.text();
    expect((await call).status).toBe(200);
    await bridge.close(0);
  });

  it('when a bearer token is configured, then requests without it get 401 and with it pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-auth-'));
    writeFileSync(join(dir, 'token'), 's3cret-token\n');
    const bridge = await bridgeFor(FIXTURE, ['--auth-token-file', join(dir, 'token')]);
    const missing = await post(bridge.url, INIT);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post(bridge.url, INIT, { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, authorization: 'Bearer s3cret-token' }, body: JSON.stringify(INIT) });
    expect(ok.status).toBe(200);
    await ok.text();
    expect((await fetch(bridge.url.replace('/mcp', '/healthz'))).status).toBe(200);
    await bridge.close(0);
  });
});

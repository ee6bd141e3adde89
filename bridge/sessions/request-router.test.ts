// The router over a real Upstream whose "process" is a pair of in-memory streams: we play the server.
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import type { JSONRPCMessage } from '../jsonrpc.js';
import { BridgeMetrics } from '../metrics.js';
import type { ByteChannel, ExitInfo } from '../upstream/byte-channel.js';
import { Upstream } from '../upstream/upstream.js';
import type { ReplyTarget } from './reply-target.js';
import { RequestRouter, type RouterClient } from './request-router.js';

interface FakeServer {
  router: RequestRouter;
  /** Lines the "server" received on stdin, parsed. */
  received: JSONRPCMessage[];
  /** Write a message as the "server" on stdout. */
  say(message: unknown): void;
  exit(description: string): void;
}

function fakeServer(): FakeServer {
  const input = new PassThrough();
  const output = new PassThrough();
  let exit: (info: ExitInfo) => void = () => undefined;
  const exited = new Promise<ExitInfo>((resolve) => (exit = resolve));
  const channel: ByteChannel = { label: 'fake', input, output, exited, stop: () => exited, tag: () => undefined };
  const upstream = new Upstream(channel, 1 << 20, pino({ level: 'silent' }), new BridgeMetrics(false));
  const received: JSONRPCMessage[] = [];
  input.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line !== '') received.push(JSON.parse(line) as JSONRPCMessage);
  });
  return {
    router: new RequestRouter(upstream, new BridgeMetrics(false)),
    received,
    say: (message) => output.write(`${JSON.stringify(message)}\n`),
    exit: (description) => exit({ description, requested: false }),
  };
}

function recorder(): ReplyTarget & { delivered: JSONRPCMessage[]; completed: JSONRPCMessage[]; abandoned: number } {
  const r = {
    delivered: [] as JSONRPCMessage[],
    completed: [] as JSONRPCMessage[],
    abandoned: 0,
    deliver: (m: JSONRPCMessage) => r.delivered.push(m),
    complete: (m: JSONRPCMessage) => r.completed.push(m),
    abandon: () => {
      r.abandoned++;
    },
  };
  return r;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const alice: RouterClient = { id: 'alice' };
const bob: RouterClient = { id: 'bob' };

describe('RequestRouter', () => {
  it('when two clients send the same id, then the server sees distinct ids and each client gets its own answer with its id restored', async () => {
    const s = fakeServer();
    const a = recorder();
    const b = recorder();
    s.router.request(alice, { jsonrpc: '2.0', id: 0, method: 'tools/list' }, a);
    s.router.request(bob, { jsonrpc: '2.0', id: 0, method: 'tools/list' }, b);
    await tick();
    const [first, second] = s.received as { id: number }[];
    expect(first?.id).not.toBe(second?.id);
    s.say({ jsonrpc: '2.0', id: second?.id, result: { for: 'bob' } });
    s.say({ jsonrpc: '2.0', id: first?.id, result: { for: 'alice' } });
    await tick();
    expect(a.completed).toEqual([{ jsonrpc: '2.0', id: 0, result: { for: 'alice' } }]);
    expect(b.completed).toEqual([{ jsonrpc: '2.0', id: 0, result: { for: 'bob' } }]);
  });

  it('when a client id is a string, then it comes back as the same string (not a number)', async () => {
    const s = fakeServer();
    const r = recorder();
    s.router.request(alice, { jsonrpc: '2.0', id: '7', method: 'ping' }, r);
    await tick();
    s.say({ jsonrpc: '2.0', id: (s.received[0] as { id: number }).id, result: {} });
    await tick();
    expect(r.completed[0]).toMatchObject({ id: '7' });
  });

  it('when a request carries a progress token, then progress is delivered to it with the original token', async () => {
    const s = fakeServer();
    const r = recorder();
    s.router.request(alice, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', _meta: { progressToken: 'mine' } } }, r);
    await tick();
    const sent = s.received[0] as unknown as { id: number; params: { _meta: { progressToken: unknown }; name: string } };
    expect(sent.params._meta.progressToken).toBe(sent.id);
    expect(sent.params.name).toBe('x');
    s.say({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: sent.id, progress: 1 } });
    s.say({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 999, progress: 1 } });
    await tick();
    expect(r.delivered).toEqual([{ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'mine', progress: 1 } }]);
  });

  it('when a client cancels, then the server gets the cancel under its own id and the reply is abandoned', async () => {
    const s = fakeServer();
    const r = recorder();
    s.router.request(alice, { jsonrpc: '2.0', id: 5, method: 'tools/call' }, r);
    s.router.notify(bob, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5 } });
    s.router.notify(alice, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5, reason: 'stop' } });
    await tick();
    const upstreamId = (s.received[0] as { id: number }).id;
    // bob's cancel of "his" id 5 must not cancel alice's request: only one cancel reaches the server.
    expect(s.received.slice(1)).toEqual([{ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: upstreamId, reason: 'stop' } }]);
    expect(r.abandoned).toBe(1);
    expect(s.router.inFlight).toBe(0);
  });

  it('when initialize is cancelled, then the cancel is not forwarded', async () => {
    const s = fakeServer();
    s.router.request(alice, { jsonrpc: '2.0', id: 0, method: 'initialize', params: {} }, recorder());
    s.router.notify(alice, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 0 } });
    await tick();
    expect(s.received).toHaveLength(1);
  });

  it('when the server exits, then every request in flight fails at once with the reason', () => {
    const s = fakeServer();
    const a = recorder();
    const b = recorder();
    s.router.request(alice, { jsonrpc: '2.0', id: 1, method: 'tools/call' }, a);
    s.router.request(bob, { jsonrpc: '2.0', id: 'x', method: 'tools/call' }, b);
    s.router.failAll('exited with code 1');
    expect(a.completed[0]).toMatchObject({ id: 1, error: { code: -32002, message: 'MCP server unavailable: exited with code 1' } });
    expect(b.completed[0]).toMatchObject({ id: 'x', error: { code: -32002 } });
    expect(s.router.inFlight).toBe(0);
  });

  it('when a client leaves, then its requests are forgotten and cancelled upstream; others stay', async () => {
    const s = fakeServer();
    s.router.request(alice, { jsonrpc: '2.0', id: 1, method: 'tools/call' }, recorder());
    s.router.request(bob, { jsonrpc: '2.0', id: 1, method: 'tools/call' }, recorder());
    s.router.dropClient(alice);
    await tick();
    expect(s.router.inFlight).toBe(1);
    expect(s.router.inFlightFor(bob)).toBe(1);
    expect(s.received.filter((m) => 'method' in m && m.method === 'notifications/cancelled')).toHaveLength(1);
  });

  it('when the server sends a request or notification, then the owner decides with the set of busy clients', async () => {
    const s = fakeServer();
    const seen: [JSONRPCMessage, string[]][] = [];
    s.router.onUnrelated = (m, busy) => seen.push([m, [...busy].map((c) => c.id)]);
    s.router.request(bob, { jsonrpc: '2.0', id: 1, method: 'tools/call' }, recorder());
    s.say({ jsonrpc: '2.0', id: 'srv1', method: 'sampling/createMessage', params: {} });
    s.say({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    await tick();
    expect(seen.map(([m, busy]) => ['method' in m ? m.method : '', busy])).toEqual([
      ['sampling/createMessage', ['bob']],
      ['notifications/tools/list_changed', ['bob']],
    ]);
  });
});

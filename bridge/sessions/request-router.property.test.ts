// Property-based: random interleavings of client requests (colliding ids of both JSON types, with and
// without progress tokens), server answers (right, duplicate, unknown), progress, garbage lines,
// server requests, cancellations, departing clients and server crashes (followed by a restart, as
// shared mode does) across sessions. Whatever the order: an answer reaches only the request that
// asked, with its own id; none is lost; no pending entry is left behind.
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import type { JSONRPCMessage, RequestId } from '../jsonrpc.js';
import { BridgeMetrics } from '../metrics.js';
import type { ByteChannel, ExitInfo } from '../upstream/byte-channel.js';
import { Upstream } from '../upstream/upstream.js';
import { RequestRouter, type RouterClient } from './request-router.js';

interface Sent {
  readonly n: number;
  readonly client: RouterClient;
  readonly originalId: RequestId;
  readonly token: string | number | undefined;
  upstreamId?: number;
  completions: JSONRPCMessage[];
  delivered: JSONRPCMessage[];
  abandoned: number;
  dropped: boolean;
  generation: number;
}

type Action =
  | { kind: 'request'; client: number; id: RequestId; token: string | number | undefined }
  | { kind: 'answer'; pick: number; error: boolean }
  | { kind: 'answer-twice'; pick: number }
  | { kind: 'answer-unknown'; id: RequestId }
  | { kind: 'progress'; pick: number }
  | { kind: 'progress-unknown'; token: string | number }
  | { kind: 'garbage'; line: string }
  | { kind: 'server-request'; pick: number }
  | { kind: 'cancel'; client: number; id: RequestId }
  | { kind: 'drop'; client: number }
  | { kind: 'crash' };

const CLIENTS = 4;
const anyId: fc.Arbitrary<RequestId> = fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom('0', '1', 'a', ''));
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('request' as const), client: fc.nat(CLIENTS - 1), id: anyId, token: fc.option(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('t', 'u')), { nil: undefined }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: fc.nat(), error: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('answer-twice' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('answer-unknown' as const), id: fc.oneof(fc.integer({ min: 1_000_000, max: 2 ** 40 }), fc.string()) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('progress' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('progress-unknown' as const), token: fc.oneof(fc.integer({ min: 1_000_000 }), fc.string()) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), line: fc.string().filter((s) => !s.includes('\n')) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('server-request' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), client: fc.nat(CLIENTS - 1), id: anyId }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), client: fc.nat(CLIENTS - 1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

/** One "server process": a real Upstream (framing, SDK-schema parsing) over in-memory pipes. */
function serverProcess(metrics: BridgeMetrics, onLine: (m: JSONRPCMessage) => void) {
  const input = new PassThrough();
  const output = new PassThrough();
  let exit: (info: ExitInfo) => void = () => undefined;
  const exited = new Promise<ExitInfo>((resolve) => (exit = resolve));
  const channel: ByteChannel = { label: 'fake', input, output, exited, stop: () => exited, tag: () => undefined };
  const upstream = new Upstream(channel, 1 << 20, pino({ level: 'silent' }), metrics);
  let partial = '';
  input.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== '') onLine(JSON.parse(line) as JSONRPCMessage);
  });
  return { upstream, say: (text: string) => output.write(`${text}\n`), exit: () => exit({ description: 'crashed', requested: false }) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function outcome(s: Sent): number {
  return s.completions.length + s.abandoned + (s.dropped ? 1 : 0);
}

async function run(actions: readonly Action[]): Promise<void> {
  const metrics = new BridgeMetrics(false);
  const clients: RouterClient[] = Array.from({ length: CLIENTS }, (_, i) => ({ id: `c${i}` }));
  const sent: Sent[] = [];
  let generation = 0;
  let unrelatedCalls: { busy: Set<string> }[] = [];

  const start = () => {
    const gen = generation;
    const proc = serverProcess(metrics, (m) => {
      // The server saw a request: learn which upstream id it got.
      const n = (m as { params?: { n?: number } }).params?.n;
      const entry = typeof n === 'number' ? sent[n] : undefined;
      if (entry !== undefined && 'id' in m && typeof m.id === 'number' && entry.generation === gen) entry.upstreamId = m.id;
    });
    const router = new RequestRouter(proc.upstream, metrics);
    router.onUnrelated = (_m, busy) => unrelatedCalls.push({ busy: new Set([...busy].map((c) => c.id)) });
    return { proc, router };
  };
  let { proc, router } = start();

  const open = () => sent.filter((s) => s.generation === generation && outcome(s) === 0 && s.upstreamId !== undefined);
  const pick = (k: number) => {
    const candidates = open();
    return candidates.length === 0 ? undefined : candidates[k % candidates.length];
  };

  for (const a of actions) {
    switch (a.kind) {
      case 'request': {
        const entry: Sent = { n: sent.length, client: clients[a.client] as RouterClient, originalId: a.id, token: a.token, completions: [], delivered: [], abandoned: 0, dropped: false, generation };
        sent.push(entry);
        const params = { n: entry.n, ...(a.token !== undefined ? { _meta: { progressToken: a.token } } : {}) };
        router.request(entry.client, { jsonrpc: '2.0', id: a.id, method: 'tools/call', params }, {
          deliver: (m) => entry.delivered.push(m),
          complete: (m) => entry.completions.push(m),
          abandon: () => {
            entry.abandoned++;
          },
        });
        break;
      }
      case 'answer': {
        const target = pick(a.pick);
        if (target?.upstreamId === undefined) break;
        proc.say(JSON.stringify(a.error ? { jsonrpc: '2.0', id: target.upstreamId, error: { code: -1, message: `for ${target.n}` } } : { jsonrpc: '2.0', id: target.upstreamId, result: { for: target.n } }));
        break;
      }
      case 'answer-twice': {
        const target = pick(a.pick);
        if (target?.upstreamId === undefined) break;
        const line = JSON.stringify({ jsonrpc: '2.0', id: target.upstreamId, result: { for: target.n } });
        proc.say(line);
        proc.say(line);
        break;
      }
      case 'answer-unknown':
        proc.say(JSON.stringify({ jsonrpc: '2.0', id: a.id, result: { for: -1 } }));
        break;
      case 'progress': {
        const target = pick(a.pick);
        if (target?.upstreamId === undefined) break;
        proc.say(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: target.upstreamId, progress: target.n } }));
        break;
      }
      case 'progress-unknown':
        proc.say(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: a.token, progress: -1 } }));
        break;
      case 'garbage':
        proc.say(a.line);
        break;
      case 'server-request': {
        const expected = new Set(open().map((s) => s.client.id));
        proc.say(JSON.stringify({ jsonrpc: '2.0', id: `srv${a.pick}`, method: 'roots/list' }));
        await settle();
        const last = unrelatedCalls.at(-1);
        // Only the clients with a request in flight are offered a server request.
        expect(last?.busy).toEqual(expected);
        unrelatedCalls = [];
        break;
      }
      case 'cancel': {
        const client = clients[a.client] as RouterClient;
        const mine = sent.filter((s) => s.generation === generation && s.client === client && s.originalId === a.id && outcome(s) === 0);
        const othersBefore = sent.filter((s) => !mine.includes(s)).map(outcome);
        router.notify(client, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: a.id } });
        // Exactly one of this client's requests with that id is abandoned (if any); nobody else's.
        expect(mine.filter((s) => s.abandoned === 1)).toHaveLength(mine.length > 0 ? 1 : 0);
        expect(sent.filter((s) => !mine.includes(s)).map(outcome)).toEqual(othersBefore);
        break;
      }
      case 'drop': {
        const client = clients[a.client] as RouterClient;
        router.dropClient(client);
        for (const s of sent) if (s.generation === generation && s.client === client && outcome(s) === 0) s.dropped = true;
        break;
      }
      case 'crash': {
        proc.exit();
        router.failAll('crashed');
        generation++;
        ({ proc, router } = start());
        break;
      }
    }
    await settle();
    await settle();
    // No leak: the router holds exactly the requests of this generation that have no outcome yet.
    expect(router.inFlight).toBe(sent.filter((s) => s.generation === generation && outcome(s) === 0).length);
  }
  router.failAll('end of test');

  for (const s of sent) {
    // Never lost, never twice: exactly one outcome per request.
    expect(outcome(s)).toBe(1);
    for (const c of s.completions) {
      // The right answer, with the client's own id (same JSON type).
      expect((c as { id: RequestId }).id).toBe(s.originalId);
      const marker = (c as { result?: { for?: number }; error?: { message: string } }).result?.for ?? (c as { error: { message: string } }).error.message;
      if (typeof marker === 'number') expect(marker).toBe(s.n);
      else expect([`for ${s.n}`, 'MCP server unavailable: crashed', 'MCP server unavailable: end of test', 'MCP server unavailable: the MCP server is not running']).toContain(marker);
    }
    for (const d of s.delivered) {
      // Progress only for the request that asked, with its own token.
      const params = (d as { params?: { progressToken?: unknown; progress?: number } }).params;
      expect(params?.progress).toBe(s.n);
      expect(params?.progressToken).toBe(s.token);
    }
  }
  expect(router.inFlight).toBe(0);
}

describe('RequestRouter under random interleavings (fast-check)', () => {
  it('when requests, answers, progress, cancellations, departures and crashes interleave at random, then every answer reaches only its own request, none is lost and no pending entry leaks', async () => {
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 60 }), (actions) => run(actions)), { numRuns: Number(process.env.FUZZ_RUNS ?? 150) });
  });
});

// A raw-socket HTTP fuzzer for the bridge: malformed and hostile requests (bad methods, paths and
// headers, broken JSON, huge or odd ids, wrong content types, truncated and chunked bodies, random and
// real session ids, both protocol eras), each on its own connection, each expected to be answered (a
// status line) or closed within a deadline. Seeded, so a failure can be replayed (FUZZ_SEED).
import { connect } from 'node:net';

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzTarget {
  readonly port: number;
  /** Session ids that exist (or existed) on the target: some requests use them. */
  readonly sessions: () => readonly string[];
}

export interface FuzzCase {
  readonly bytes: Buffer;
  /** Close our sending side after the bytes (a truncated body then ends instead of stalling). */
  readonly halfClose: boolean;
  readonly label: string;
}

const METHODS = ['POST', 'POST', 'POST', 'POST', 'GET', 'GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'BREW', 'post', 'P OST', 'CONNECT'];
const PATHS = ['/mcp', '/mcp', '/mcp', '/mcp', '/sse', '/message?sessionId=', '/message', '/healthz', '/readyz', '/metrics', '/mcp?x=1', '//mcp', '/mcp/../mcp', '/%ff', '/nope', `/${'a'.repeat(9000)}`, '*'];
const CONTENT_TYPES = ['application/json', 'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/jsonx', 'application/json, text/plain'];
const ACCEPTS = ['application/json, text/event-stream', 'application/json, text/event-stream', '*/*', 'text/event-stream', 'application/json', '', 'text/html'];
const VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2026-07-28', '2024-11-05', '1999-01-01', '', 'x'.repeat(300)];
const MCP_METHODS = ['initialize', 'tools/list', 'tools/call', 'ping', 'resources/read', 'prompts/get', 'server/discover', 'subscriptions/listen', 'notifications/initialized', 'notifications/cancelled', 'logging/setLevel', 'nope/nope', '', 'rpc.discover'];

export function fuzzCase(random: () => number, target: FuzzTarget): FuzzCase {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const method = chance(0.02) ? randomToken(random, 20) : pick(METHODS);
  let path = pick(PATHS);
  const known = target.sessions();
  const sessionId = (): string =>
    pick([
      () => (known.length > 0 ? pick(known) : 'none'),
      () => (known.length > 0 ? pick(known) : 'none'),
      () => randomToken(random, 40),
      () => `${randomToken(random, 22)}.${Buffer.from('203.0.113.9:80').toString('base64url')}.${randomToken(random, 43)}`,
      () => 'x'.repeat(5000),
      () => '',
    ])();
  if (path.endsWith('sessionId=')) path += encodeURIComponent(sessionId());
  const headers: [string, string][] = [['Host', chance(0.97) ? '127.0.0.1' : pick(['evil.example', '', '127.0.0.1:1'])]];
  if (chance(0.9)) headers.push(['Content-Type', pick(CONTENT_TYPES)]);
  if (chance(0.9)) headers.push(['Accept', pick(ACCEPTS)]);
  if (chance(0.5)) headers.push(['Mcp-Session-Id', sessionId()]);
  if (chance(0.5)) headers.push(['MCP-Protocol-Version', pick(VERSIONS)]);
  if (chance(0.3)) headers.push(['Mcp-Method', pick(MCP_METHODS)]);
  if (chance(0.15)) headers.push(['Mcp-Name', pick(['echo', '', '=?base64?ZWNobw==?=', '=?base64?!!!?=', 'x'.repeat(1000)])]);
  if (chance(0.05)) headers.push(['Origin', pick(['http://evil.example', 'null', 'http://localhost:3000', '::::'])]);
  if (chance(0.05)) headers.push(['Authorization', pick(['Bearer x', 'Basic Zm9vOmJhcg==', ''])]);
  if (chance(0.03)) headers.push(['Mcp-Session-Id', sessionId()]); // duplicated
  if (chance(0.02)) headers.push(['Last-Event-ID', randomToken(random, 10)]);
  if (chance(0.02)) headers.push([randomToken(random, 8), 'x'.repeat(Math.floor(random() * 20000))]);

  const body = fuzzBody(random, pick, chance);
  const raw = Buffer.from(body);
  let halfClose = true;
  let bodyBytes = raw;
  const framing = random();
  let label = `${method} ${path.slice(0, 40)}`;
  if (framing < 0.08) {
    headers.push(['Transfer-Encoding', 'chunked']);
    bodyBytes = Buffer.from(chance(0.7) ? `${raw.length.toString(16)}\r\n${body}\r\n0\r\n\r\n` : `zz\r\n${body}\r\n`);
    label += ' chunked';
  } else if (framing < 0.16) {
    headers.push(['Content-Length', String(raw.length + 1 + Math.floor(random() * 1000))]); // truncated
    label += ' truncated';
  } else if (framing < 0.2) {
    headers.push(['Content-Length', String(Math.max(0, raw.length - 5))]); // extra bytes: a second "request"
    label += ' overlong';
  } else if (framing < 0.22) {
    headers.push(['Content-Length', pick(['-1', 'abc', '99999999999999999999', '1, 2'])]);
    label += ' bad-length';
  } else {
    headers.push(['Content-Length', String(raw.length)]);
    halfClose = chance(0.5);
  }
  if (chance(0.3)) headers.push(['Connection', 'close']);
  const version = chance(0.98) ? 'HTTP/1.1' : pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'HTP/1.1']);
  const separator = chance(0.99) ? '\r\n' : '\n';
  const head = `${method} ${path} ${version}${separator}${headers.map(([k, v]) => `${k}: ${v}`).join(separator)}${separator}${separator}`;
  return { bytes: Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes]), halfClose, label };
}

function randomToken(random: () => number, max: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';
  let s = '';
  const n = 1 + Math.floor(random() * max);
  for (let i = 0; i < n; i++) s += chars.charAt(Math.floor(random() * chars.length));
  return s;
}

function fuzzBody(random: () => number, pick: <T>(items: readonly T[]) => T, chance: (p: number) => boolean): string {
  const id = pick<unknown>([1, 0, -1, 1e308, -0, 2 ** 64, 1.5, 'a', '', 'x'.repeat(10000), null, true, {}, [], { a: 1 }, Number.MAX_SAFE_INTEGER + 2]);
  const method = pick(MCP_METHODS);
  const modern = {
    'io.modelcontextprotocol/protocolVersion': pick(VERSIONS),
    'io.modelcontextprotocol/clientCapabilities': pick<unknown>([{}, null, 'x', { sampling: {} }]),
  };
  const params = pick<unknown>([
    undefined,
    {},
    { name: 'echo', arguments: { message: 'hi' } },
    { name: 'slow', arguments: { ms: 50 } },
    { name: 'crash', arguments: {} },
    { name: pick(['echo', 'nope', '']), arguments: pick<unknown>([null, 'x', [], {}]) },
    { _meta: modern, name: 'echo', arguments: { message: 'm' } },
    { _meta: { ...modern, progressToken: pick<unknown>([1, 'p', null, {}]) } },
    { protocolVersion: pick(VERSIONS), capabilities: pick<unknown>([{}, null]), clientInfo: { name: 'fuzz', version: '1' } },
    { requestId: id },
    [1, 2, 3],
    'params',
  ]);
  const message: Record<string, unknown> = { jsonrpc: pick(['2.0', '2.0', '2.0', '1.0', 2]) };
  if (chance(0.85)) message.id = id;
  if (chance(0.9)) message.method = method;
  if (params !== undefined) message.params = params;
  if (chance(0.05)) message.result = {};
  if (chance(0.03)) message.error = { code: 'x', message: 1 };
  const kind = random();
  if (kind < 0.55) return JSON.stringify(message);
  if (kind < 0.62) return JSON.stringify([message, { ...message, id: 2 }]);
  if (kind < 0.64) return JSON.stringify([]);
  if (kind < 0.72) return JSON.stringify(message).slice(0, Math.floor(random() * 40)); // broken JSON
  if (kind < 0.76) return '';
  if (kind < 0.8) return pick(['null', '1', '"s"', 'true', '{}', '[[[]]]', '{"jsonrpc":"2.0","id":1,"method":"x","params":{"__proto__":{"polluted":1}}}']);
  if (kind < 0.82) return `${'['.repeat(5000)}${']'.repeat(5000)}`;
  if (kind < 0.84) return JSON.stringify({ ...message, params: { pad: 'x'.repeat(Math.floor(random() * 200_000)) } });
  if (kind < 0.88) return Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256))).toString('latin1');
  if (kind < 0.9) return '\uFEFF' + JSON.stringify(message);
  return JSON.stringify(message).replace(/"/, "'");
}

export interface Outcome {
  /** The status line's code, or 'closed' when the connection ended without one. */
  readonly result: number | 'closed';
  readonly ms: number;
}

/** Sends one case on a fresh connection; resolves with the status (or a close) or rejects at the deadline. */
export function send(port: number, fuzz: FuzzCase, deadlineMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let head = '';
    let done = false;
    const finish = (outcome: Outcome | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${deadlineMs} ms: ${fuzz.label}`)), deadlineMs);
    socket.on('connect', () => {
      socket.write(fuzz.bytes);
      if (fuzz.halfClose) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (match !== null) finish({ result: Number(match[1]), ms: Date.now() - started });
      else if (head.length > 64) finish(new Error(`not an HTTP answer: ${JSON.stringify(head.slice(0, 64))} (${fuzz.label})`));
    });
    socket.on('error', () => undefined); // a reset is a close
    socket.on('close', () => finish({ result: 'closed', ms: Date.now() - started }));
  });
}

/** Runs `count` cases, `concurrency` at a time; returns the tally of outcomes and the slowest answer. */
export async function fuzz(target: FuzzTarget, count: number, seed: number, options: { concurrency?: number; deadlineMs?: number } = {}): Promise<{ tally: Record<string, number>; slowestMs: number }> {
  const random = prng(seed);
  const tally: Record<string, number> = {};
  let slowestMs = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const outcome = await send(target.port, fuzzCase(random, target), options.deadlineMs ?? 10_000);
      const key = String(outcome.result);
      tally[key] = (tally[key] ?? 0) + 1;
      slowestMs = Math.max(slowestMs, outcome.ms);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return { tally, slowestMs };
}

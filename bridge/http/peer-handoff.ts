// A stopping replica hands its shared-mode sessions' log levels and subscriptions to the other replicas
// of its McpServer (sessions/handoff.ts says why), at the end of its drain: --peers names them (the
// operator's headless Service, resolved to every ready pod's address). Each peer keeps what it got for
// the session's adoption. A replica that adopts a session without having got its handoff (it became
// ready after the owner's) asks its peers for it (pullHandoff). Signed with the session key, so only a
// replica of the same McpServer is heard.
import { lookup } from 'node:dns/promises';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCodes } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import { decodeHandoff, encodeHandoff, worthHandingOff, type SessionHandoff } from '../sessions/handoff.js';
import type { SessionHub } from '../sessions/session-hub.js';
import type { SessionIds } from '../sessions/session-ids.js';
import { readBody } from './body.js';
import { splitOwner } from './forward.js';
import { sendError, sendJson } from './respond.js';

export const HANDOFF_PATH = '/peers/handoff';
const SIGNATURE_HEADER = 'x-mcp-bridge-signature';
const SENT_AT_HEADER = 'x-mcp-bridge-sent-at';
const DOMAIN = 'session-handoff';
const PULL_DOMAIN = 'session-handoff-pull';
/** Asking the peers delays the adopting request: bounded tighter than the handoff. */
export const PULL_TIMEOUT_MS = 1000;
/** A recorded handoff replayed later is refused (clocks of one cluster's nodes agree far better). */
const MAX_AGE_MS = 60_000;
/** 10,000 sessions with a few subscriptions each fit; more is not a handoff. */
const MAX_BODY = 8 * 1024 * 1024;
/** The whole handoff (DNS, connect, answer) is bounded: it delays the pod's stop. */
export const HANDOFF_TIMEOUT_MS = 3000;

/** host:port for an address (IPv6 bracketed). */
function joinAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Every address the --peers names resolve to, without this replica's own. */
export async function resolvePeers(peers: readonly string[], self: string): Promise<string[]> {
  const found = new Set<string>();
  await Promise.all(
    peers.map(async (peer) => {
      const target = splitOwner(peer);
      if (target === undefined) return;
      const addresses = await lookup(target.host, { all: true }).catch(() => []);
      for (const { address } of addresses) found.add(joinAddress(address, target.port));
    }),
  );
  found.delete(self);
  return [...found];
}

/** One request to a peer: its status and body, or undefined when it did not answer by `deadline` (ms since the epoch). */
function exchange(peer: string, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | undefined, deadline: number): Promise<{ status: number; body: string } | undefined> {
  const target = splitOwner(peer);
  if (target === undefined) return Promise.resolve(undefined);
  const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve) => {
    const out = request({ host: target.host, port: target.port, method, path, headers: { ...headers, ...length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += text.length < 1_000_000 ? chunk : ''));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', () => resolve(undefined));
    });
    // The whole exchange, not the socket's idle time: a peer that answers a byte at a time is cut too.
    const timer = setTimeout(() => out.destroy(new Error('timeout')), Math.max(0, deadline - Date.now()));
    out.on('close', () => clearTimeout(timer));
    out.on('error', () => resolve(undefined));
    out.end(body);
  });
}

/** The peers to talk to, or [] when they cannot be found by `deadline`. */
function peersBy(peers: readonly string[], self: string, deadline: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), Math.max(0, deadline - Date.now()))));
  return Promise.race([resolvePeers(peers, self), late]).finally(() => clearTimeout(timer));
}

/** Sends the handoff to every peer at once; logs and counts how it went. Never throws, bounded in time. */
export async function handOff(entries: readonly SessionHandoff[], peers: readonly string[], ids: SessionIds, log: Logger, metrics: BridgeMetrics, timeoutMs = HANDOFF_TIMEOUT_MS): Promise<void> {
  // One bound for all of it (DNS, connecting, the answers): it delays the pod's stop.
  const deadline = Date.now() + timeoutMs;
  const targets = await peersBy(peers, ids.self, deadline);
  if (targets.length === 0) {
    log.warn({ peers, sessions: entries.length }, 'no peer replica to hand the sessions\' subscriptions and log levels to: a replica adopting them starts without');
    return;
  }
  const body = encodeHandoff(entries);
  const sentAt = String(Date.now());
  const headers = { 'content-type': 'application/json', [SENT_AT_HEADER]: sentAt, [SIGNATURE_HEADER]: ids.sign(DOMAIN, `${sentAt}\n${body}`) };
  const results = await Promise.all(targets.map((peer) => exchange(peer, 'POST', HANDOFF_PATH, headers, body, deadline)));
  const delivered = results.filter((r) => r !== undefined && r.status >= 200 && r.status < 300).length;
  if (delivered > 0) metrics.sessionHandoffs.inc({ stage: 'sent' }, entries.length);
  log.info({ sessions: entries.length, peers: targets.length, delivered }, 'sessions\' subscriptions and log levels handed to the peer replicas');
}

/**
 * Asks every peer for a session's handoff (GET ?session=ID, signed); the first that holds something to
 * resume (a level, a subscription) wins. Undefined when none does, or none answers within the bound.
 */
export async function pullHandoff(id: string, peers: readonly string[], ids: SessionIds, timeoutMs = PULL_TIMEOUT_MS): Promise<SessionHandoff | undefined> {
  const deadline = Date.now() + timeoutMs;
  const targets = await peersBy(peers, ids.self, deadline);
  const sentAt = String(Date.now());
  const headers = { [SENT_AT_HEADER]: sentAt, [SIGNATURE_HEADER]: ids.sign(PULL_DOMAIN, `${sentAt}\n${id}`) };
  const path = `${HANDOFF_PATH}?${new URLSearchParams({ session: id }).toString()}`;
  const answers = await Promise.all(targets.map((peer) => exchange(peer, 'GET', path, headers, undefined, deadline)));
  for (const answer of answers) {
    if (answer?.status !== 200) continue;
    const entry = decodeHandoff(answer.body)?.find((e) => e.id === id);
    if (entry !== undefined && worthHandingOff(entry)) return entry;
  }
  return undefined;
}

/** Whether a signed request of a peer is genuine and fresh; answers the refusal itself otherwise. */
function verified(hub: SessionHub, req: IncomingMessage, res: ServerResponse, domain: string, payload: string): boolean {
  const sentAt = req.headers[SENT_AT_HEADER];
  const signature = req.headers[SIGNATURE_HEADER];
  if (typeof sentAt !== 'string' || typeof signature !== 'string' || !hub.ids.verify(domain, `${sentAt}\n${payload}`, signature)) {
    sendError(res, 403, ErrorCodes.serverError, 'Forbidden: the handoff is not signed with this McpServer\'s session key');
    return false;
  }
  if (!(Math.abs(Date.now() - Number(sentAt)) <= MAX_AGE_MS)) {
    sendError(res, 403, ErrorCodes.serverError, 'Forbidden: the handoff is stale (sent more than 60 s from now)');
    return false;
  }
  return true;
}

/**
 * /peers/handoff: a stopping peer's handoff (POST): 200 {"taken":N}; a peer asking for one session's
 * (GET ?session=ID): 200 {"sessions":[entry]} or 404. Refusals answer with a JSON-RPC error body.
 */
export async function serveHandoff(hub: SessionHub, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  if (req.method !== 'POST' && req.method !== 'GET') return sendError(res, 405, ErrorCodes.serverError, 'Method Not Allowed: a handoff is a POST, a question for one a GET', { allow: 'GET, POST' });
  if (!hub.adopts) return sendError(res, 404, ErrorCodes.serverError, 'Not Found: this bridge runs per-session mode and takes no handoffs');
  if (req.method === 'GET') {
    const id = query.get('session') ?? '';
    if (!verified(hub, req, res, PULL_DOMAIN, id)) return;
    const entry = hub.handoffFor(id);
    if (entry === undefined) return sendError(res, 404, ErrorCodes.sessionNotFound, 'Not Found: no handoff for this session here');
    return sendJson(res, 200, { sessions: [entry] });
  }
  const body = await readBody(req, MAX_BODY, HANDOFF_TIMEOUT_MS);
  if (!body.ok) return sendError(res, body.reason === 'too-large' ? 413 : 408, ErrorCodes.serverError, `handoff body refused (${body.reason})`, { connection: 'close' });
  if (!verified(hub, req, res, DOMAIN, body.text)) return;
  const entries = decodeHandoff(body.text);
  if (entries === undefined) return sendError(res, 400, ErrorCodes.invalidRequest, 'Bad Request: not a handoff body ({"sessions":[...]})');
  sendJson(res, 200, { taken: hub.receiveHandoff(entries) });
}

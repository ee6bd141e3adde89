// A stopping replica hands its shared-mode sessions' log levels and subscriptions to the other replicas
// of its McpServer (sessions/handoff.ts says why), at the end of its drain: --peers names them (the
// operator's headless Service, resolved to every ready pod's address). Each peer keeps what it got for
// the session's adoption. Signed with the session key, so only a replica of the same McpServer is heard.
import { lookup } from 'node:dns/promises';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCodes } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import { decodeHandoff, encodeHandoff, type SessionHandoff } from '../sessions/handoff.js';
import type { SessionHub } from '../sessions/session-hub.js';
import type { SessionIds } from '../sessions/session-ids.js';
import { readBody } from './body.js';
import { splitOwner } from './forward.js';
import { sendError, sendJson } from './respond.js';

export const HANDOFF_PATH = '/peers/handoff';
const SIGNATURE_HEADER = 'x-mcp-bridge-signature';
const SENT_AT_HEADER = 'x-mcp-bridge-sent-at';
const DOMAIN = 'session-handoff';
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

function post(peer: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<boolean> {
  const target = splitOwner(peer);
  if (target === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const out = request({ host: target.host, port: target.port, method: 'POST', path: HANDOFF_PATH, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
    });
    out.on('timeout', () => out.destroy(new Error('timeout')));
    out.on('error', () => resolve(false));
    out.end(body);
  });
}

/** Sends the handoff to every peer at once; logs and counts how it went. Never throws, bounded in time. */
export async function handOff(entries: readonly SessionHandoff[], peers: readonly string[], ids: SessionIds, log: Logger, metrics: BridgeMetrics, timeoutMs = HANDOFF_TIMEOUT_MS): Promise<void> {
  const deadline = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref());
  const targets = await Promise.race([resolvePeers(peers, ids.self), deadline]);
  if (targets.length === 0) {
    log.warn({ peers, sessions: entries.length }, 'no peer replica to hand the sessions\' subscriptions and log levels to: a replica adopting them starts without');
    return;
  }
  const body = encodeHandoff(entries);
  const sentAt = String(Date.now());
  const headers = { 'content-type': 'application/json', [SENT_AT_HEADER]: sentAt, [SIGNATURE_HEADER]: ids.sign(DOMAIN, `${sentAt}\n${body}`) };
  const results = await Promise.all(targets.map((peer) => post(peer, body, headers, timeoutMs)));
  const delivered = results.filter(Boolean).length;
  if (delivered > 0) metrics.sessionHandoffs.inc({ stage: 'sent' }, entries.length);
  log.info({ sessions: entries.length, peers: targets.length, delivered }, 'sessions\' subscriptions and log levels handed to the peer replicas');
}

/** A peer's handoff arriving here: 200 {"taken":N}; refusals answer with a JSON-RPC error body. */
export async function receiveHandoff(hub: SessionHub, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return sendError(res, 405, ErrorCodes.serverError, 'Method Not Allowed: a handoff is a POST', { allow: 'POST' });
  if (!hub.adopts) return sendError(res, 404, ErrorCodes.serverError, 'Not Found: this bridge runs per-session mode and takes no handoffs');
  const body = await readBody(req, MAX_BODY, HANDOFF_TIMEOUT_MS);
  if (!body.ok) return sendError(res, body.reason === 'too-large' ? 413 : 408, ErrorCodes.serverError, `handoff body refused (${body.reason})`, { connection: 'close' });
  const sentAt = req.headers[SENT_AT_HEADER];
  const signature = req.headers[SIGNATURE_HEADER];
  if (typeof sentAt !== 'string' || typeof signature !== 'string' || !hub.ids.verify(DOMAIN, `${sentAt}\n${body.text}`, signature)) {
    return sendError(res, 403, ErrorCodes.serverError, 'Forbidden: the handoff is not signed with this McpServer\'s session key');
  }
  if (!(Math.abs(Date.now() - Number(sentAt)) <= MAX_AGE_MS)) return sendError(res, 403, ErrorCodes.serverError, 'Forbidden: the handoff is stale (sent more than 60 s from now)');
  const entries = decodeHandoff(body.text);
  if (entries === undefined) return sendError(res, 400, ErrorCodes.invalidRequest, 'Bad Request: not a handoff body ({"sessions":[...]})');
  sendJson(res, 200, { taken: hub.receiveHandoff(entries) });
}

// Many replicas behind one plain ClusterIP Service: a request for a session this replica does not
// own is relayed to the owner, whose address is inside the (signed) session id. No sticky load
// balancer, no shared store. A relayed request is never relayed again, and if the owner is gone (or says
// it is stopping) the session is gone: 404, so the client re-initializes (through the Service, onto a
// live replica), unless the session can be adopted here (adopt.ts).
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCodes } from '../jsonrpc.js';
import { sendError } from './respond.js';

export const FORWARDED_HEADER = 'x-mcp-bridge-forwarded';
/**
 * On an owner's answer to a relayed request: this replica has ended its drain and is stopping, so what it
 * held is gone although it still answers. The relaying replica then treats the owner as unreachable
 * (adopts a shared-mode session, else 404) instead of passing on a 404 that only means "not here any more".
 */
export const OWNER_GONE_HEADER = 'x-mcp-bridge-owner-gone';
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** A deleted pod's IP never answers: give up quickly instead of waiting out the kernel's TCP timeout. */
export const CONNECT_TIMEOUT_MS = 3000;

/** Requests being relayed right now (not GET streams): shutdown waits for them like for its own. */
export class RelayTracker {
  active = 0;
}

/** host:port → parts; IPv6 hosts come bracketed ("[fd00::1]:8080"). */
export function splitOwner(owner: string): { host: string; port: number } | undefined {
  const colon = owner.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const host = owner.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(owner.slice(colon + 1));
  return Number.isInteger(port) && port > 0 ? { host, port } : undefined;
}

/** The answer of a replica whose drain is over to a relayed request (see OWNER_GONE_HEADER). */
export function sendOwnerGone(res: ServerResponse): void {
  sendError(res, 503, ErrorCodes.unavailable, 'Service Unavailable: this replica is stopping and what it held is gone', { [OWNER_GONE_HEADER]: '1' });
}

export function isForwarded(req: IncomingMessage): boolean {
  return req.headers[FORWARDED_HEADER] !== undefined;
}

export interface ForwardOptions {
  /** The request body, when it was already read here (an MRTR retry is recognised by its body). */
  readonly body?: string;
  /** Answers the client when the owner cannot be reached (default: the session is gone, 404). */
  readonly unreachable?: (res: ServerResponse) => void;
}

function sessionGone(res: ServerResponse): void {
  sendError(res, 404, ErrorCodes.sessionNotFound, 'Session not found: the replica that held it is gone; start a new one with initialize');
}

export function forwardToOwner(req: IncomingMessage, res: ServerResponse, owner: string, log: Logger, relays: RelayTracker, options: ForwardOptions = {}): void {
  const unreachable = options.unreachable ?? sessionGone;
  const target = splitOwner(owner);
  if (target === undefined) return unreachable(res);
  // Hop-by-hop headers belong to the client's connection, not to ours to the owner (RFC 9110 §7.6.1):
  // a client's "Connection: close" copied onto the pooled relay connection made the owner close it
  // after one answer while the relay reused it (400 "Data after Connection: close"; found by the e2e).
  const listed = typeof req.headers.connection === 'string' ? req.headers.connection.split(',').map((n) => n.trim().toLowerCase()) : [];
  const dropped = new Set([...HOP_BY_HOP, ...listed]);
  const headers: Record<string, string | string[] | undefined> = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !dropped.has(name)));
  headers[FORWARDED_HEADER] = '1';
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const outgoing = request(
    { host: target.host, port: target.port, method: req.method, path: req.url, headers },
    (incoming) => {
      if (incoming.headers[OWNER_GONE_HEADER] !== undefined) {
        incoming.resume();
        log.info({ owner }, 'owner replica is stopping; what it held is gone');
        return unreachable(res);
      }
      res.writeHead(incoming.statusCode ?? 502, incoming.headers);
      incoming.pipe(res);
    },
  );
  outgoing.on('socket', (socket) => {
    if (!socket.connecting) return; // a kept-alive connection: already up
    const timer = setTimeout(() => outgoing.destroy(new Error(`no connection to ${owner} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  });
  if (req.method !== 'GET') {
    relays.active++;
    res.once('close', () => relays.active--);
  }
  outgoing.on('error', (err) => {
    if (res.writableEnded || res.destroyed) return; // our client left first; nothing to answer
    log.info({ owner, err: err.message }, 'owner replica unreachable; what it held is gone');
    unreachable(res);
  });
  // A client that goes away (e.g. closes its GET stream) releases the relayed request too.
  res.once('close', () => outgoing.destroy());
  if (options.body !== undefined) outgoing.end(options.body);
  else req.pipe(outgoing);
}

// Reads a request body with a hard size limit: past it nothing more is kept, so a huge upload costs
// the bridge at most `limit` bytes of memory. The rest is still read and thrown away (up to
// DISCARD_LIMIT more), so the 413 reaches a client that is still sending: closing a connection with
// unread data makes the kernel reset it, and fetch/undici, httpx and curl then report EPIPE or a reset
// instead of the status. Past DISCARD_LIMIT the connection is closed.
import type { IncomingMessage } from 'node:http';

export const DISCARD_LIMIT = 16 * 1024 * 1024;

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'aborted' | 'stalled' };

/** Requests whose unread body is being thrown away already. */
const discarding = new WeakSet<IncomingMessage>();

/** After a 413: read and drop what the client still sends, up to DISCARD_LIMIT, then hang up. */
function discardRest(req: IncomingMessage, alreadyRead: number, limit: number): void {
  discarding.add(req);
  let read = alreadyRead;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > limit + DISCARD_LIMIT) req.socket.destroy();
  });
  req.resume();
}

/**
 * After any answer given before the body was read (401, 403, 406, 415, 404, 405, ...): the same
 * bounded drain as after a 413, so a client still sending sees the status, not a reset. (Node would
 * drain it too, but without any bound.)
 */
export function discardUnread(req: IncomingMessage): void {
  if (req.complete || discarding.has(req)) return;
  discardRest(req, 0, 0);
}

/** Whether a too-large body will be drained (so the answer may keep the connection) or not. */
export function drainsOversize(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  return !(declared > limit + DISCARD_LIMIT);
}

/**
 * The body as text, at most `limit` bytes. A body that stalls (no byte for `idleMs`) is given up
 * ('stalled': the caller answers 408 and closes): Node's requestTimeout bounds the whole request, but a
 * client trickling a byte now and then would hold a socket and a buffer until then.
 */
export function readBody(req: IncomingMessage, limit: number, idleMs = 30_000): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit) {
    if (drainsOversize(req, limit)) discardRest(req, 0, limit);
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const stall = setTimeout(() => finish({ ok: false, reason: 'stalled' }), idleMs);
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      stall.refresh();
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        discardRest(req, size, limit);
        return finish({ ok: false, reason: 'too-large' });
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, text: Buffer.concat(chunks, size).toString('utf8') }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

// Reads a request body with a hard size limit: past it nothing more is kept, so a huge upload costs
// the bridge at most `limit` bytes of memory. The rest is still read and thrown away (up to
// DISCARD_LIMIT more), so the 413 reaches a client that is still sending: closing a connection with
// unread data makes the kernel reset it, and fetch/undici, httpx and curl then report EPIPE or a reset
// instead of the status. Past DISCARD_LIMIT the connection is closed.
import type { IncomingMessage } from 'node:http';

export const DISCARD_LIMIT = 16 * 1024 * 1024;

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'aborted' };

/** After a 413: read and drop what the client still sends, up to DISCARD_LIMIT, then hang up. */
function discardRest(req: IncomingMessage, alreadyRead: number, limit: number): void {
  let read = alreadyRead;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > limit + DISCARD_LIMIT) req.socket.destroy();
  });
  req.resume();
}

/** Whether a too-large body will be drained (so the answer may keep the connection) or not. */
export function drainsOversize(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  return !(declared > limit + DISCARD_LIMIT);
}

export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit) {
    if (drainsOversize(req, limit)) discardRest(req, 0, limit);
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
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

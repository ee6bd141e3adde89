// MRTR continuations outlive the HTTP request that started them: a legacy child waits, mid-call, for
// the answer to its sampling/elicitation/roots request, and the client brings that answer back in a
// retry that any replica behind the Service may receive. So the `requestState` the client echoes is
// signed exactly like session ids (same per-McpServer key) and names the replica that holds the
// waiting child, the continuation, the method it belongs to and when it expires. Forged, tampered or
// expired state is refused, never relayed anywhere.
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 16;
const VERSION = 'r1';

export interface RequestStateClaims {
  /** host:port of the replica holding the continuation. */
  readonly owner: string;
  /** The continuation's id on that replica. */
  readonly continuation: string;
  /** The method of the original request; a retry must repeat it. */
  readonly method: string;
  /** Epoch milliseconds after which the state is refused. */
  readonly expiresAt: number;
  /** What the original request named (tool or prompt name, resource URI); a retry must name the same. */
  readonly target?: string;
}

export type StateCheck = { ok: true; claims: RequestStateClaims } | { ok: false; reason: string };

export class RequestStateCodec {
  constructor(private readonly key: Buffer) {}

  sign(claims: RequestStateClaims): string {
    const fields: unknown[] = [claims.owner, claims.continuation, claims.method, claims.expiresAt];
    if (claims.target !== undefined) fields.push(claims.target);
    const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
    return `${VERSION}.${payload}.${this.mac(payload)}`;
  }

  /** Checks signature, shape, method, target (the retry's params.name or uri) and expiry (now: epoch ms). */
  verify(state: string, method: string, now: number, target?: string): StateCheck {
    const parts = state.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'requestState is not one this server issued' };
    const [, payload, mac] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(payload), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'requestState is not one this server issued' };
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'requestState is malformed' };
    }
    if (!Array.isArray(fields) || (fields.length !== 4 && fields.length !== 5)) return { ok: false, reason: 'requestState is malformed' };
    const [owner, continuation, stateMethod, expiresAt, stateTarget] = fields as unknown[];
    if (typeof owner !== 'string' || typeof continuation !== 'string' || typeof stateMethod !== 'string' || typeof expiresAt !== 'number') {
      return { ok: false, reason: 'requestState is malformed' };
    }
    if (stateMethod !== method) return { ok: false, reason: `requestState belongs to ${stateMethod}, not ${method}` };
    if (stateTarget !== undefined && stateTarget !== target) return { ok: false, reason: `requestState belongs to ${method} of ${JSON.stringify(stateTarget)}, not of ${target ?? 'nothing'}` };
    if (now > expiresAt) return { ok: false, reason: 'requestState has expired; send the original request again' };
    return { ok: true, claims: { owner, continuation, method: stateMethod, expiresAt, ...(typeof stateTarget === 'string' ? { target: stateTarget } : {}) } };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`request-state:${payload}`).digest().subarray(0, MAC_BYTES).toString('base64url');
  }
}

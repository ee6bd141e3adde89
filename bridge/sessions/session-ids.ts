// Session ids minted by the bridge: random, and signed together with the address of the replica
// that owns the session. Any replica of the same McpServer (same key) can then tell, without a
// shared store, whether an id is genuine and which pod holds it; a forged or tampered id is simply
// unknown (404) and is never proxied anywhere.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 16;

export interface ParsedSessionId {
  readonly owner: string;
  /** What another replica needs to adopt the session when its owner is gone (shared mode), opaque here. */
  readonly state?: string;
}

export class SessionIds {
  constructor(
    private readonly key: Buffer,
    /** host:port at which other replicas reach this one. */
    readonly self: string,
  ) {}

  /** A new id; `state` (base64url, no dots) rides along, signed with the rest. */
  mint(state?: string): string {
    const nonce = randomBytes(16).toString('base64url');
    const owner = Buffer.from(this.self).toString('base64url');
    const signed = state === undefined ? `${nonce}.${owner}` : `${nonce}.${owner}.${state}`;
    return `${signed}.${this.mac(signed)}`;
  }

  /** The owner of a genuine id; undefined for anything not minted with our key. */
  parse(id: string): ParsedSessionId | undefined {
    const parts = id.split('.');
    if (parts.length !== 3 && parts.length !== 4) return undefined;
    const mac = parts.pop() ?? '';
    const expected = Buffer.from(this.mac(parts.join('.')), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const owner = Buffer.from(parts[1] ?? '', 'base64url').toString();
    return parts[2] === undefined ? { owner } : { owner, state: parts[2] };
  }

  /**
   * Signs what one replica tells another outside a session id (a stopping replica's handoff): the same
   * key, a separate domain, so a handoff signature can never pass for an id's and the other way round.
   */
  sign(domain: string, payload: string): string {
    return createHmac('sha256', this.key).update(`${domain}\n${payload}`).digest('base64url');
  }

  verify(domain: string, payload: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(domain, payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES).toString('base64url');
  }
}

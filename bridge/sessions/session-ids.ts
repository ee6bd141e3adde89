// Session ids minted by the bridge: random, and signed together with the address of the replica
// that owns the session. Any replica of the same McpServer (same key) can then tell, without a
// shared store, whether an id is genuine and which pod holds it; a forged or tampered id is simply
// unknown (404) and is never proxied anywhere.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 16;

export interface ParsedSessionId {
  readonly owner: string;
}

export class SessionIds {
  constructor(
    private readonly key: Buffer,
    /** host:port at which other replicas reach this one. */
    readonly self: string,
  ) {}

  mint(): string {
    const nonce = randomBytes(16).toString('base64url');
    const owner = Buffer.from(this.self).toString('base64url');
    return `${nonce}.${owner}.${this.mac(`${nonce}.${owner}`)}`;
  }

  /** The owner of a genuine id; undefined for anything not minted with our key. */
  parse(id: string): ParsedSessionId | undefined {
    const parts = id.split('.');
    if (parts.length !== 3) return undefined;
    const [nonce, owner, mac] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(`${nonce}.${owner}`), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { owner: Buffer.from(owner, 'base64url').toString() };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES).toString('base64url');
  }
}

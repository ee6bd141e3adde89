// JWT access tokens checked against the issuer's published keys (jose): signature with an allowed
// asymmetric algorithm, iss, aud, exp/nbf with a small skew. The keys are fetched from the jwks_uri of
// the issuer's metadata, cached, and fetched again for an unknown key id at most once per cooldown
// (so a key rotation at the issuer is picked up without a restart, and forged key ids cannot make the
// bridge hammer the issuer).
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { discoverIssuer, type IssuerMetadata } from './issuer-metadata.js';

/**
 * Asymmetric signatures only: `none` is never accepted, and no HS* (a public key used as an HMAC
 * secret is the classic JWT confusion attack; the issuer's keys are public).
 */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Clock skew allowed on exp/nbf/iat: clocks of pods and issuers drift by seconds, not minutes. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** After a failed discovery, the next request tries again no sooner than this. */
const DISCOVERY_RETRY_MS = 5000;

export interface VerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksCacheMs: number;
  readonly jwksCooldownMs: number;
  readonly fetchImpl?: typeof fetch;
}

export type Verification =
  | { ok: true; claims: JWTPayload }
  /** The token is bad (RFC 6750 invalid_token); `reason` is for logs only, never for the client. */
  | { ok: false; kind: 'invalid'; reason: string }
  /** The issuer's metadata or keys cannot be had right now: not the client's fault. */
  | { ok: false; kind: 'unavailable'; reason: string };

const TOKEN_FAULTS = new Set([
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWK_INVALID',
]);

type KeySet = ReturnType<typeof createRemoteJWKSet>;

export class TokenVerifier {
  private keys: Promise<{ metadata: IssuerMetadata; keySet: KeySet }> | undefined;
  private failedAt = 0;

  constructor(private readonly options: VerifierOptions) {}

  /** Discovers the issuer now (start-up), so the first request does not pay for it; failures are retried later. */
  warmUp(): Promise<unknown> {
    return this.keySet().catch(() => undefined);
  }

  async verify(token: string): Promise<Verification> {
    let keys;
    try {
      keys = await this.keySet();
    } catch (err) {
      return { ok: false, kind: 'unavailable', reason: (err as Error).message };
    }
    try {
      const { payload } = await jwtVerify(token, keys.keySet, {
        issuer: keys.metadata.issuer,
        audience: this.options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      });
      return { ok: true, claims: payload };
    } catch (err) {
      // Only what says "this token is bad" is the client's fault (401); the key set failing to load
      // (network, HTTP status, timeout, garbage) is the issuer's (503), or a rotation would log people out.
      if (err instanceof errors.JOSEError && TOKEN_FAULTS.has(err.code)) return { ok: false, kind: 'invalid', reason: err.message };
      return { ok: false, kind: 'unavailable', reason: (err as Error).message };
    }
  }

  private keySet(): Promise<{ metadata: IssuerMetadata; keySet: KeySet }> {
    if (this.keys === undefined || (this.failedAt > 0 && Date.now() - this.failedAt >= DISCOVERY_RETRY_MS)) {
      this.failedAt = 0;
      const { issuer, fetchImpl, jwksCacheMs, jwksCooldownMs } = this.options;
      this.keys = discoverIssuer(issuer, fetchImpl).then(
        (metadata) => ({
          metadata,
          keySet: createRemoteJWKSet(new URL(metadata.jwksUri), { cacheMaxAge: jwksCacheMs, cooldownDuration: jwksCooldownMs, timeoutDuration: 5000 }),
        }),
        (err: unknown) => {
          this.failedAt = Date.now();
          throw err;
        },
      );
    }
    return this.keys;
  }
}

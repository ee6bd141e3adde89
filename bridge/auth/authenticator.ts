// The one place that decides whether an MCP request (/mcp, /sse, /message) is authenticated, and how
// a refusal is answered: no auth, one static bearer token (--auth-token-file), or OAuth 2.1
// resource-server mode (--oauth-issuer: JWT access tokens, RFC 9728 metadata, RFC 6750 challenges).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCodes } from '../jsonrpc.js';
import { identityOf, logFields, type Identity } from './identity.js';
import { challenge, metadataDocument, type ResourceDescription } from './protected-resource.js';
import type { TokenVerifier } from './token-verifier.js';

export interface AuthRefusal {
  readonly status: 401 | 403 | 503;
  /** JSON-RPC error code of the body (docs/security.md has the table). */
  readonly code: number;
  readonly message: string;
  readonly headers: Record<string, string>;
}

export type AuthOutcome = { ok: true; identity: Identity | undefined } | { ok: false; refusal: AuthRefusal };

export interface Authenticator {
  authenticate(req: IncomingMessage): Promise<AuthOutcome>;
  /** The RFC 9728 document (OAuth mode only). */
  readonly metadata: Record<string, unknown> | undefined;
  /** 403 for a request that needs scopes beyond the token's (a tool's scope rule): the client may step up. */
  insufficientScope(needed: readonly string[]): AuthRefusal;
}

const OPEN: AuthOutcome = { ok: true, identity: undefined };

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  // The scheme is case-insensitive (RFC 9110 §11.1).
  if (header === undefined || !/^bearer /i.test(header)) return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}

export function noAuth(): Authenticator {
  return {
    authenticate: () => Promise.resolve(OPEN),
    metadata: undefined,
    insufficientScope: () => {
      throw new Error('unreachable: scope rules need --oauth-issuer');
    },
  };
}

/** One shared secret for every client (simple setups): compared in constant time. */
export function staticTokenAuth(token: string): Authenticator {
  const expected = Buffer.from(token);
  const refusal: AuthOutcome = {
    ok: false,
    refusal: { status: 401, code: ErrorCodes.serverError, message: 'Unauthorized: a valid bearer token is required', headers: { 'www-authenticate': 'Bearer' } },
  };
  return {
    authenticate: (req) => {
      const given = Buffer.from(bearerToken(req) ?? '');
      return Promise.resolve(given.length === expected.length && timingSafeEqual(given, expected) ? OPEN : refusal);
    },
    metadata: undefined,
    insufficientScope: () => {
      throw new Error('unreachable: scope rules need --oauth-issuer');
    },
  };
}

export interface OAuthOptions extends ResourceDescription {
  /** Scopes every request needs. */
  readonly requiredScopes: readonly string[];
}

export function oauthAuth(options: OAuthOptions, verifier: TokenVerifier, log: Logger): Authenticator {
  const refuse = (status: 401 | 403, error: 'invalid_token' | 'insufficient_scope' | undefined, scopes: readonly string[], message: string): AuthOutcome => ({
    ok: false,
    refusal: { status, code: ErrorCodes.serverError, message, headers: { 'www-authenticate': challenge(options.resource, scopes, error) } },
  });
  const insufficient = (scopes: readonly string[]): AuthRefusal => {
    const outcome = refuse(403, 'insufficient_scope', scopes, `Forbidden: the access token lacks a required scope (${scopes.join(' ')})`);
    if (outcome.ok) throw new Error('unreachable');
    return outcome.refusal;
  };
  return {
    metadata: metadataDocument(options),
    insufficientScope: (needed) => insufficient([...new Set([...options.requiredScopes, ...needed])]),
    async authenticate(req) {
      const token = bearerToken(req);
      if (token === undefined) {
        log.debug('refused: no bearer token');
        return refuse(401, undefined, options.requiredScopes, 'Unauthorized: an OAuth access token is required (see the resource_metadata in WWW-Authenticate)');
      }
      const verified = await verifier.verify(token);
      if (!verified.ok) {
        if (verified.kind === 'unavailable') {
          log.warn({ reason: verified.reason }, 'refused: the authorization server cannot be reached');
          return {
            ok: false,
            refusal: { status: 503, code: ErrorCodes.unavailable, message: 'Service Unavailable: the authorization server cannot be reached to check the token; retry later', headers: { 'retry-after': '5' } },
          };
        }
        log.info({ reason: verified.reason }, 'refused: invalid access token');
        return refuse(401, 'invalid_token', options.requiredScopes, 'Unauthorized: the access token is invalid');
      }
      const identity = identityOf(verified.claims);
      if (identity === undefined) {
        log.info({ reason: 'no sub nor client_id' }, 'refused: invalid access token');
        return refuse(401, 'invalid_token', options.requiredScopes, 'Unauthorized: the access token names no subject');
      }
      const missing = options.requiredScopes.filter((s) => !identity.scopes.has(s));
      if (missing.length > 0) {
        log.info({ ...logFields(identity), missing }, 'refused: insufficient scope');
        return { ok: false, refusal: insufficient(options.requiredScopes) };
      }
      log.debug(logFields(identity), 'authenticated');
      return { ok: true, identity };
    },
  };
}

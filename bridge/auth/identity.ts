// Who is calling, as a validated access token says: handed to the tool policy and the logs (never the
// token itself). Pure.

export interface Identity {
  /** `sub`, or the client id for tokens that name no user (client credentials at some issuers). */
  readonly subject: string;
  readonly clientId: string | undefined;
  readonly scopes: ReadonlySet<string>;
}

/**
 * Scopes as the common issuers write them: `scope` (RFC 9068, a space-separated string) or `scp`
 * (Entra ID, Okta: an array, or a string).
 */
export function scopesOf(claims: Readonly<Record<string, unknown>>): Set<string> {
  const raw = claims.scope ?? claims.scp;
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : [];
  return new Set(items.filter((s): s is string => typeof s === 'string' && s !== ''));
}

/** undefined when the token names neither a subject nor a client (nothing to authorize). */
export function identityOf(claims: Readonly<Record<string, unknown>>): Identity | undefined {
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : typeof claims.azp === 'string' ? claims.azp : undefined;
  const subject = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : clientId;
  if (subject === undefined) return undefined;
  return { subject, clientId, scopes: scopesOf(claims) };
}

/** What the logs get: who, with which scopes (a token is never logged). */
export function logFields(identity: Identity): Record<string, unknown> {
  return { sub: identity.subject, client_id: identity.clientId, scopes: [...identity.scopes].join(' ') };
}

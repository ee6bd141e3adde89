// RFC 9728 (OAuth 2.0 Protected Resource Metadata) for the bridge, and the RFC 6750 challenges the MCP
// authorization spec asks a resource server to send. Pure.

export interface ResourceDescription {
  /** The canonical base URL of this server (--public-url), without a trailing slash. */
  readonly resource: string;
  readonly issuer: string;
  /** Every scope a client may need: the always-required ones and those the tool rules name. */
  readonly scopesSupported: readonly string[];
}

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

/** The resource without a trailing slash (what clients compare, and the token's audience by default). */
export function canonicalResource(publicUrl: string): string {
  const url = new URL(publicUrl);
  url.hash = '';
  return url.href.replace(/\/+$/, '');
}

/** Where the metadata lives per RFC 9728 §3.1: the well-known path goes between host and path. */
export function metadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${METADATA_PATH}${path}`;
}

/**
 * True for the paths the bridge answers with its metadata: the bare well-known path, and the
 * path-suffixed variants clients build from the URL they connect to (…/mcp, …/sse, or a public prefix).
 */
export function isMetadataPath(path: string): boolean {
  return path === METADATA_PATH || path.startsWith(`${METADATA_PATH}/`);
}

export function metadataDocument(d: ResourceDescription): Record<string, unknown> {
  return {
    resource: d.resource,
    authorization_servers: [d.issuer],
    scopes_supported: d.scopesSupported,
    // Only the Authorization header: tokens in query strings end up in access logs (RFC 6750 §5.3).
    bearer_methods_supported: ['header'],
    resource_name: 'MCP server (mcp-bridge)',
  };
}

function quoted(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export type ChallengeError = 'invalid_token' | 'insufficient_scope' | undefined;

/**
 * `WWW-Authenticate: Bearer resource_metadata="…", scope="…"` (MCP authorization, RFC 9728 §5.1),
 * with `error` when a token was presented and is bad (invalid_token) or lacks scopes (insufficient_scope).
 * No error_description: it would tell a prober which check failed.
 */
export function challenge(resource: string, scopes: readonly string[], error: ChallengeError): string {
  const parts = [`resource_metadata=${quoted(metadataUrl(resource))}`];
  if (scopes.length > 0) parts.push(`scope=${quoted(scopes.join(' '))}`);
  if (error !== undefined) parts.push(`error=${quoted(error)}`);
  return `Bearer ${parts.join(', ')}`;
}

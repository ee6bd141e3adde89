// Discovery of the authorization server's metadata (RFC 8414, then OpenID Connect Discovery): only the
// jwks_uri is needed, and the document must name the issuer we were told (RFC 8414 §3.3), or a
// lookalike's keys would be trusted.

export interface IssuerMetadata {
  readonly issuer: string;
  readonly jwksUri: string;
}

/** The URLs to try, in the order the MCP spec gives (2025-11-25, authorization server discovery). */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') {
    return [`${url.origin}/.well-known/oauth-authorization-server`, `${url.origin}/.well-known/openid-configuration`];
  }
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}/.well-known/openid-configuration${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

export async function discoverIssuer(issuer: string, fetchImpl: typeof fetch = fetch, timeoutMs = 5000): Promise<IssuerMetadata> {
  const failures: string[] = [];
  for (const url of discoveryUrls(issuer)) {
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    } catch (err) {
      failures.push(`${url}: ${(err as Error).message}`);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      failures.push(`${url}: HTTP ${response.status}`);
      continue;
    }
    const doc = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof doc.issuer !== 'string' || !sameIssuer(doc.issuer, issuer)) {
      throw new Error(`${url} names issuer ${JSON.stringify(doc.issuer)}, not ${issuer}`);
    }
    if (typeof doc.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
    const jwks = new URL(doc.jwks_uri);
    if (jwks.protocol !== 'https:' && new URL(issuer).protocol === 'https:') throw new Error(`${url}: jwks_uri must be https`);
    return { issuer: doc.issuer, jwksUri: jwks.href };
  }
  throw new Error(`no authorization server metadata for ${issuer}: ${failures.join('; ')}`);
}

// A real OAuth 2.1 / OpenID Provider for the auth tests: oidc-provider on port 0, issuing JWT access
// tokens by client credentials with resource indicators (RFC 8707: aud = the resource asked for). Its
// keys can be rotated while it runs (the next tokens are signed by a new key; the old one is gone from
// its JWKS), and it counts how often its JWKS was fetched.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

export const CLIENTS = {
  /** May have every scope. */
  full: { secret: 'full-secret-3f9a1c', scope: 'mcp:use files:write' },
  /** May only use the server, not write. */
  reader: { secret: 'reader-secret-77e2b0', scope: 'mcp:use' },
  /** Only files:write, not the mcp:use every request needs. */
  writeOnly: { secret: 'write-only-secret-0c4d55', scope: 'files:write' },
} as const;
export type ClientName = keyof typeof CLIENTS;

export interface Issuer {
  readonly url: string;
  /** GETs of the JWKS so far. */
  readonly jwksFetches: number;
  /** A client-credentials access token for this resource (RFC 8707), with these scopes (default: all the client may have). */
  token(client: ClientName, resource: string, scope?: string): Promise<string>;
  /** Signs a token with the issuer's current private key (for claims no real grant gives, e.g. an expiry in the past). */
  sign(claims: JWTPayload): Promise<string>;
  /** A new signing key; the old one leaves the JWKS. */
  rotate(): Promise<void>;
  close(): Promise<void>;
}

async function newKey(): Promise<{ jwk: JWK; privateKey: CryptoKey; kid: string }> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `k-${Math.random().toString(36).slice(2, 10)}`;
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  return { jwk, privateKey, kid };
}

function providerFor(url: string, jwk: JWK): Provider {
  return new Provider(url, {
    clients: Object.entries(CLIENTS).map(([id, c]) => ({
      client_id: id,
      client_secret: c.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: c.scope,
    })),
    jwks: { keys: [jwk] },
    scopes: ['mcp:use', 'files:write'],
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Any resource asked for gets a JWT whose aud is exactly that resource (the bridge must check it).
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({ scope: 'mcp:use files:write', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 300 }),
      },
    },
  });
}

export async function startIssuer(): Promise<Issuer> {
  let current: { handler: ReturnType<Provider['callback']>; privateKey: CryptoKey; kid: string } | undefined;
  let jwksFetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/jwks') === true) jwksFetches++;
    if (current === undefined) return void res.writeHead(503).end();
    current.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const install = async (): Promise<void> => {
    const key = await newKey();
    current = { handler: providerFor(url, key.jwk).callback(), privateKey: key.privateKey, kid: key.kid };
  };
  await install();
  return {
    url,
    get jwksFetches() {
      return jwksFetches;
    },
    async token(client, resource, scope) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', resource, ...(scope !== undefined ? { scope } : { scope: CLIENTS[client].scope }) });
      const basic = Buffer.from(`${client}:${CLIENTS[client].secret}`).toString('base64');
      const res = await fetch(`${url}/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body });
      const json = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (json.access_token === undefined) throw new Error(`token for ${client}: ${res.status} ${json.error ?? ''} ${json.error_description ?? ''}`);
      return json.access_token;
    },
    async sign(claims) {
      if (current === undefined) throw new Error('no key');
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: current.kid, typ: 'at+jwt' }).sign(current.privateKey);
    },
    rotate: install,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

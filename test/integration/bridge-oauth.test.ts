// OAuth 2.1 resource-server mode against a real OpenID Provider (oidc-provider, client credentials,
// RFC 8707 resource indicators, JWT access tokens): the spec's refusals for every kind of bad token,
// RFC 9728 metadata, the official SDK v1 client's own OAuth flow, key rotation at the issuer, JWKS
// fetch rate limiting, and sessions bound to their subject.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { SignJWT, generateKeyPair } from 'jose';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, INIT, JSON_HEADERS, bridgeFor, modernPost, textOf, until } from './bridge-harness.js';
import { CLIENTS, startIssuer, type Issuer } from './oidc-issuer.js';

const base = (bridge: RunningBridge): string => bridge.url.replace(/\/mcp$/, '');

async function initialize(bridge: RunningBridge, token: string | undefined, path = '/mcp'): Promise<Response> {
  return fetch(`${base(bridge)}${path}`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(INIT),
  });
}

function challengeOf(res: Response): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  expect(header.startsWith('Bearer ')).toBe(true);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

async function v1Client(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

describe('OAuth resource server', () => {
  let issuer: Issuer;
  let other: Issuer;
  let bridge: RunningBridge;
  let resource: string;
  beforeAll(async () => {
    [issuer, other] = await Promise.all([startIssuer(), startIssuer()]);
    // A short cooldown: the rotation test waits for it (polling), not for the default 30 s.
    bridge = await bridgeFor(FIXTURE, ['--oauth-issuer', issuer.url, '--oauth-scopes', 'mcp:use', '--oauth-jwks-cooldown', '1']);
    resource = base(bridge);
  });
  afterAll(async () => {
    await bridge.close(0);
    await Promise.all([issuer.close(), other.close()]);
  });

  it('when the metadata is asked for (bare and /mcp-suffixed), then it names the resource, the issuer, the scopes and header-only tokens', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const res = await fetch(`${resource}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        resource,
        authorization_servers: [issuer.url],
        scopes_supported: ['mcp:use'],
        bearer_methods_supported: ['header'],
        resource_name: 'MCP server (mcp-bridge)',
      });
    }
    expect((await fetch(`${resource}/healthz`)).status).toBe(200);
    expect((await fetch(`${resource}/metrics`)).status).toBe(200);
  });

  it('when no token is sent to /mcp, /sse or /message, then 401 with the challenge (resource_metadata, scope) and no error', async () => {
    const answers = [
      await initialize(bridge, undefined),
      await fetch(`${resource}/sse`, { headers: { accept: 'text/event-stream' } }),
      await fetch(`${resource}/message?sessionId=x`, { method: 'POST', headers: JSON_HEADERS, body: '{}' }),
      await modernPost(bridge.url, 1, 'tools/list'),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(challengeOf(res)).toEqual({ resource_metadata: `${resource}/.well-known/oauth-protected-resource`, scope: 'mcp:use' });
      expect(await res.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringContaining('Unauthorized') as string } });
    }
  });

  it('when the token is expired, for another audience, from another issuer, unsigned, tampered or signed by a stranger, then 401 invalid_token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await issuer.token('full', resource);
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const stranger = await generateKeyPair('RS256');
    const bad = {
      expired: await issuer.sign({ ...claims, iat: now - 3600, exp: now - 600 }),
      'wrong audience': await issuer.token('full', 'http://127.0.0.1:1/elsewhere'),
      'wrong issuer': await other.token('full', resource),
      'alg none': `${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
      tampered: `${header}.${b64({ ...claims, scope: 'mcp:use files:write admin' })}.${signature}`,
      stranger: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'stranger' }).sign(stranger.privateKey),
      garbage: 'not-a-jwt',
    };
    for (const [what, token] of Object.entries(bad)) {
      const res = await initialize(bridge, token);
      expect([what, res.status]).toEqual([what, 401]);
      expect([what, challengeOf(res)]).toEqual([what, { resource_metadata: `${resource}/.well-known/oauth-protected-resource`, scope: 'mcp:use', error: 'invalid_token' }]);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32000);
    }
    expect((await initialize(bridge, good)).status).toBe(200);
  });

  it('when the token lacks a required scope, then 403 insufficient_scope naming it', async () => {
    const res = await initialize(bridge, await issuer.token('writeOnly', resource));
    expect(res.status).toBe(403);
    expect(challengeOf(res)).toEqual({ resource_metadata: `${resource}/.well-known/oauth-protected-resource`, scope: 'mcp:use', error: 'insufficient_scope' });
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32000);
  });

  it('when SDK clients (v1 2025 session, v2 2026-07-28) send a valid token, then they are served; a bad one fails their connect', async () => {
    const token = await issuer.token('reader', resource);
    const v1 = await v1Client(bridge.url, token);
    expect(textOf(await v1.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('hi');
    await v1.close();
    const v2 = new ModernClient({ name: 'oauth-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await v2.connect(new ModernTransport(new URL(bridge.url), { authProvider: { token: () => Promise.resolve(token) } }));
    expect(textOf(await v2.callTool({ name: 'echo', arguments: { message: 'modern' } }))).toBe('modern');
    await v2.close();
    await expect(v1Client(bridge.url, `${token}x`)).rejects.toThrow();
  });

  it('when the SDK v1 client has only client credentials, then it discovers everything from the 401 and succeeds', async () => {
    const provider = new ClientCredentialsProvider({ clientId: 'reader', clientSecret: CLIENTS.reader.secret, expectedIssuer: issuer.url, scope: 'mcp:use' });
    const client = new Client({ name: 'oauth-cc', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(bridge.url), { authProvider: provider }));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'via oauth' } }))).toBe('via oauth');
    expect(provider.tokens()?.access_token).toEqual(expect.any(String));
    await client.close();
  });

  it('when the issuer rotates its signing key, then tokens from the new key are accepted without a bridge restart', async () => {
    expect((await initialize(bridge, await issuer.token('reader', resource))).status).toBe(200);
    await issuer.rotate();
    const rotated = await issuer.token('reader', resource);
    // The first try may fall inside the JWKS cooldown (1 s here); the next fetch brings the new key.
    await until('the bridge knows the new key', async () => (await initialize(bridge, rotated)).status === 200, 10_000);
  });

  it('when a session opened by one client is used with another client\'s token, then 404 (sessions are bound to their subject)', async () => {
    const reader = await issuer.token('reader', resource);
    const res = await initialize(bridge, reader);
    const session = res.headers.get('mcp-session-id') ?? '';
    const call = (token: string): Promise<Response> =>
      fetch(bridge.url, {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'mcp-session-id': session, authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } }),
      });
    expect((await call(await issuer.token('full', resource))).status).toBe(404);
    expect((await call(reader)).status).toBe(200);
  });
});

describe('OAuth resource server: JWKS fetches are rate limited', () => {
  let issuer: Issuer;
  let bridge: RunningBridge;
  beforeAll(async () => {
    issuer = await startIssuer();
    bridge = await bridgeFor(FIXTURE, ['--oauth-issuer', issuer.url]);
  });
  afterAll(async () => {
    await bridge.close(0);
    await issuer.close();
  });

  it('when 30 tokens with unknown key ids arrive, then the issuer\'s JWKS is fetched at most once more', async () => {
    const resource = base(bridge);
    expect((await initialize(bridge, await issuer.token('reader', resource))).status).toBe(200);
    const before = issuer.jwksFetches;
    const stranger = await generateKeyPair('RS256');
    const forged = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        new SignJWT({ sub: 'x', scope: 'mcp:use' }).setProtectedHeader({ alg: 'RS256', kid: `forged-${i}` }).setIssuer(issuer.url).setAudience(resource).setExpirationTime('5m').sign(stranger.privateKey),
      ),
    );
    const statuses = await Promise.all(forged.map(async (t) => (await initialize(bridge, t)).status));
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(issuer.jwksFetches - before).toBeLessThanOrEqual(1);
  });
});

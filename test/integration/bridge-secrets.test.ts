// Secrets hygiene: the built bridge (dist/, as it runs in a pod) at log level trace, given access tokens
// (valid, tampered), a static token file and a client's OAuth secret in flight, never shows any of them
// in its logs or its process arguments (ps).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FIXTURE, INIT, JSON_HEADERS, ROOT, textOf, until } from './bridge-harness.js';
import { CLIENTS, startIssuer, type Issuer } from './oidc-issuer.js';

const run = promisify(execFile);

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

async function spawnBridge(args: string[]): Promise<Running> {
  const child = spawn('node', [join(ROOT, 'dist/bridge/main.js'), '--port', '0', '--log-level', 'trace', '--drain-delay', '0', ...args, '--', ...FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let url = '';
  await until('the bridge listens', () => {
    const line = output.split('\n').find((l) => l.includes('"msg":"listening"'));
    if (line !== undefined) url = (JSON.parse(line) as { url: string }).url;
    return url !== '';
  });
  return { child, url, output: () => output };
}

async function stop(bridge: Running): Promise<void> {
  bridge.child.kill('SIGTERM');
  await once(bridge.child, 'exit');
}

async function psArgs(pid: number | undefined): Promise<string> {
  return (await run('ps', ['-o', 'args=', '-p', String(pid)])).stdout;
}

describe('secrets hygiene', () => {
  let issuer: Issuer;
  beforeAll(async () => {
    issuer = await startIssuer();
  });
  afterAll(() => issuer.close());

  it('when OAuth tokens (valid and tampered) and a client secret pass through, then neither logs nor ps show them', async () => {
    const bridge = await spawnBridge(['--oauth-issuer', issuer.url, '--oauth-scopes', 'mcp:use', '--forward-identity']);
    const resource = bridge.url.replace(/\/mcp$/, '');
    const token = await issuer.token('full', resource);
    const tampered = `${token.slice(0, -4)}AAAA`;
    const provider = new ClientCredentialsProvider({ clientId: 'full', clientSecret: CLIENTS.full.secret, expectedIssuer: issuer.url, scope: 'mcp:use' });
    const client = new Client({ name: 'hygiene', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(bridge.url), { authProvider: provider }));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'x' } }))).toBe('x');
    const sdkToken = provider.tokens()?.access_token ?? '';
    await client.close();
    for (const t of [token, tampered]) await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${t}` }, body: JSON.stringify(INIT) });
    await until('the refusal was logged', () => bridge.output().includes('refused: invalid access token'));
    const ps = await psArgs(bridge.child.pid);
    await stop(bridge);
    const logs = bridge.output();
    // The logs did see the caller (so the check below looks at real log lines about these requests).
    expect(logs).toContain('"sub":"full"');
    for (const secret of [token, tampered, sdkToken, CLIENTS.full.secret, token.split('.')[2] ?? 'x']) {
      expect(secret.length).toBeGreaterThan(10);
      expect(logs).not.toContain(secret);
      expect(ps).not.toContain(secret);
    }
  }, 30_000);

  it('when a static token file is used, then ps shows only its path and the logs never the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-secret-'));
    const secret = 'static-secret-9d8c7b6a5f4e';
    writeFileSync(join(dir, 'token'), `${secret}\n`, { mode: 0o600 });
    const bridge = await spawnBridge(['--auth-token-file', join(dir, 'token')]);
    expect((await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${secret}` }, body: JSON.stringify(INIT) })).status).toBe(200);
    expect((await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${secret}x` }, body: JSON.stringify(INIT) })).status).toBe(401);
    const ps = await psArgs(bridge.child.pid);
    await stop(bridge);
    expect(ps).toContain(join(dir, 'token'));
    expect(ps).not.toContain(secret);
    expect(bridge.output()).not.toContain(secret);
  }, 30_000);
});

// The operator's MCP probe of every sample (status.server, ServerVerified, the ERAS and SERVER columns of
// `kubectl get mcp`), and of a bridge that requires a bearer token (the operator reads it from the Secret).
import { randomBytes } from 'node:crypto';
import { NAMESPACE, condition, kubectl, mcpServer, serviceUrl, waitFor, waitReady, type McpServerObj } from './lib/kube.js';
import { SAMPLES, applyManifest, deleteServer, ensureSystem } from './lib/system.js';

beforeAll(() => ensureSystem(), 600_000);

/**
 * The bridge serves both eras in both session modes (per-session server/discover came with the bridge's
 * 2026-07-28 work); everything-http is server-everything's own Streamable HTTP transport, 2025 only.
 */
const expectedEras = (s: (typeof SAMPLES)[number]): string[] => (s.transport === 'streamable-http' ? ['legacy'] : ['modern', 'legacy']);

async function verified(name: string, timeoutMs = 120_000): Promise<McpServerObj> {
  return waitFor(`${name} ServerVerified=True`, timeoutMs, async () => {
    const o = await mcpServer(name);
    const c = condition(o, 'ServerVerified');
    return c?.status === 'True' ? o : undefined;
  }, 1000);
}

describe('the MCP probe of the samples', () => {
  it.each(SAMPLES.map((s) => [s.name, s]))('when %s is available, then ServerVerified=True and status.server names it and its eras', async (name, sample) => {
    const o = await verified(name);
    expect(condition(o, 'ServerVerified')?.reason).toBe(sample.transport === 'streamable-http' ? 'Initialized' : 'Discovered');
    expect(o.status?.server?.eras).toEqual(expectedEras(sample));
    expect(o.status?.server?.name).toMatch(/\S/);
    expect(o.status?.server?.protocolVersions?.length).toBeGreaterThan(0);
  }, 150_000);

  it('when kubectl get mcp lists the samples, then ERAS and SERVER show what the probe found', async () => {
    await Promise.all(SAMPLES.map((s) => verified(s.name)));
    const out = await kubectl(['get', 'mcp', '-n', NAMESPACE]);
    const [header, ...rows] = out.trim().split('\n');
    expect(header).toMatch(/^NAME\s+READY\s+REPLICAS\s+ERAS\s+SERVER\s+URL\s+AGE$/);
    for (const s of SAMPLES) {
      const o = await mcpServer(s.name);
      const row = rows.find((r) => r.startsWith(`${s.name} `)) ?? '';
      // The SERVER column is the server's own name, which may hold spaces ("Prometheus MCP"): match the
      // row's start as kubectl prints it (columns separated by 2+ spaces) rather than splitting on spaces.
      const cells = row.split(/\s{2,}/);
      expect(cells.slice(0, 5)).toEqual([s.name, 'True', String(o.spec.replicas ?? 1), JSON.stringify(expectedEras(s)), o.status?.server?.name]);
    }
  }, 300_000);
});

describe('the MCP probe of a bridge with a bearer token', () => {
  const name = `e2e-token-${randomBytes(2).toString('hex')}`;
  afterAll(async () => {
    await deleteServer(name);
    await kubectl(['delete', 'secret', `${name}-token`, '-n', NAMESPACE, '--ignore-not-found']);
  }, 180_000);

  it('when the bridge requires a token, then the operator probes with the token from the Secret (and a request without it gets 401)', async () => {
    const token = randomBytes(16).toString('hex');
    await kubectl(['create', 'secret', 'generic', `${name}-token`, '-n', NAMESPACE, `--from-literal=token=${token}`]);
    await applyManifest(JSON.stringify({
      apiVersion: 'mcp.sidecar.dev/v1alpha1',
      kind: 'McpServer',
      metadata: { name },
      spec: {
        command: ['npx', '-y', '@modelcontextprotocol/server-everything'],
        sessions: { mode: 'shared' },
        bridge: { authTokenSecretRef: { name: `${name}-token`, key: 'token' } },
      },
    }));
    await waitReady(name, 180_000);
    const o = await verified(name);
    expect(condition(o, 'ServerVerified')?.reason).toBe('Discovered');
    expect(o.status?.server).toMatchObject({ name: 'mcp-servers/everything', eras: ['modern', 'legacy'] });
    const res = await fetch(await serviceUrl(name, '/mcp'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } }),
    });
    expect(res.status).toBe(401);
  }, 300_000);
});

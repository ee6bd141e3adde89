// Secrets stay secrets: an McpServer whose bridge token and server password come from a Secret. Planted
// values must never show in any process's command line on the node (containers are host processes
// here, so `ps` sees them all), in the logs of the pod's containers or the operator, in the Deployment
// the operator wrote, or in events; and the pod runs under PodSecurity "restricted".
import { randomBytes } from 'node:crypto';
import { NAMESPACE, SYSTEM_NAMESPACE, getJson, kubectl, podsOf, serviceUrl, sh, waitReady, waitServing } from './lib/kube.js';
import { applyManifest, deleteServer, ensureSystem } from './lib/system.js';

const NAME = `e2e-secrets-${randomBytes(2).toString('hex')}`;
const TOKEN = `planted-token-${randomBytes(12).toString('hex')}`;
const PASSWORD = `planted-password-${randomBytes(12).toString('hex')}`;

const manifest = `
apiVersion: v1
kind: Secret
metadata: { name: ${NAME} }
stringData: { token: ${TOKEN}, password: ${PASSWORD} }
---
apiVersion: mcp.sidecar.dev/v1alpha1
kind: McpServer
metadata: { name: ${NAME} }
spec:
  command: [npx, -y, "@modelcontextprotocol/server-everything"]
  sessions: { mode: shared }
  env:
    - name: DB_PASSWORD
      valueFrom: { secretKeyRef: { name: ${NAME}, key: password } }
  bridge:
    authTokenSecretRef: { name: ${NAME}, key: token }
`;

let url = '';
beforeAll(async () => {
  await ensureSystem();
  await applyManifest(manifest);
  await waitReady(NAME, 240_000);
  url = await serviceUrl(NAME, '');
  await waitServing(url);
}, 600_000);

afterAll(async () => {
  await deleteServer(NAME);
  await kubectl(['delete', 'secret', NAME, '-n', NAMESPACE, '--ignore-not-found']);
}, 180_000);

/** One 2026-07-28 tools/list with a bearer token: the HTTP status. */
async function listWith(token: string): Promise<number> {
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e-secrets', version: '1' } },
    }),
  });
  await res.body?.cancel();
  return res.status;
}

const leaks = (text: string): string[] => [TOKEN, PASSWORD].filter((s) => text.includes(s));

describe('secrets hygiene', () => {
  it('when a client uses the token from the Secret, then it is served, and a wrong token is refused', async () => {
    expect(await listWith(TOKEN)).toBe(200);
    expect(await listWith('wrong')).toBe(401);
  }, 60_000);

  it('when every process on the node is listed, then no command line holds a planted value (the bridge reads a file)', async () => {
    const ps = await sh('ps', ['-eo', 'args', '--no-headers']);
    expect(ps).toContain('--auth-token-file /var/run/mcp/auth-token/token');
    expect(leaks(ps)).toEqual([]);
  }, 30_000);

  it('when the logs of the pod and the operator, the Deployment and the events are read, then no planted value is in them', async () => {
    const pods = await podsOf(NAME);
    expect(pods.length).toBeGreaterThan(0);
    const texts: string[] = [];
    for (const p of pods) texts.push(await kubectl(['logs', '-n', NAMESPACE, p.metadata.name, '--all-containers']));
    const operatorLogs = await kubectl(['logs', '-n', SYSTEM_NAMESPACE, '-l', 'app.kubernetes.io/name=mcp-sidecar-operator', '--all-containers', '--tail=-1']);
    expect(operatorLogs.length).toBeGreaterThan(0);
    texts.push(operatorLogs);
    const deployment = await kubectl(['get', 'deployment', NAME, '-n', NAMESPACE, '-o', 'json']);
    expect(deployment).toContain(`"secretKeyRef"`);
    texts.push(deployment, await kubectl(['get', 'events', '-n', NAMESPACE, '-o', 'json']));
    texts.push(await kubectl(['get', 'mcpserver', NAME, '-n', NAMESPACE, '-o', 'json']));
    expect(texts.flatMap(leaks)).toEqual([]);
  }, 60_000);

  it('when the pod is admitted, then it is under PodSecurity restricted', async () => {
    const ns = await getJson<{ metadata: { labels?: Record<string, string> } }>(['get', 'namespace', NAMESPACE]);
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const [pod] = await podsOf(NAME);
    expect(pod?.status?.phase).toBe('Running');
  }, 30_000);
});

// spec.network enforced for real: the operator's NetworkPolicy and the cluster's NetworkPolicy engine
// (kube-router's network-policy controller, hack/cluster-up.sh). A fetch server (mcp-server-fetch, from
// PyPI, in the bridge image) that only one namespace may call and that may reach only one in-cluster web
// server: a pod in another namespace cannot connect to its Service, the server cannot fetch from the
// other web server, and both work again once spec.network is removed.
import { randomBytes } from 'node:crypto';
import { NAMESPACE, condition, exists, getJson, kubectl, mcpServer, serviceUrl, waitFor, waitReady, waitServing } from './lib/kube.js';
import { callText, withClient } from './lib/mcp.js';
import { applyManifest, deleteServer, ensureSystem } from './lib/system.js';

const SUFFIX = randomBytes(2).toString('hex');
const NAME = `e2e-netpol-${SUFFIX}`;
const ALLOWED_NS = `e2e-netpol-in-${SUFFIX}`;
const OTHER_NS = `e2e-netpol-out-${SUFFIX}`;
const IMAGE = process.env.E2E_BRIDGE_IMAGE ?? 'localhost/mcp-bridge:local';
// Per run: a pod of the last run may still be terminating under the same name.
const WEB_ALLOWED = `web-allowed-${SUFFIX}`;
const WEB_DENIED = `web-denied-${SUFFIX}`;

/** PodSecurity "restricted" (the e2e namespace enforces it). */
const restricted = `
    securityContext:
      runAsNonRoot: true
      runAsUser: 65532
      allowPrivilegeEscalation: false
      capabilities: { drop: [ALL] }
      seccompProfile: { type: RuntimeDefault }`;

/** A web server answering every GET with its own marker (python3 is in the bridge image for mcp-server-fetch). */
const webServer = (name: string, marker: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { e2e-web: ${name} } }
spec:
  containers:
  - name: web
    image: ${IMAGE}
    imagePullPolicy: IfNotPresent
    command: [python3, -c]
    args:
    - |
      import http.server as h
      class H(h.BaseHTTPRequestHandler):
          def do_GET(self):
              body = b"${marker}"
              self.send_response(200)
              self.send_header("content-type", "text/plain")
              self.send_header("content-length", str(len(body)))
              self.end_headers()
              self.wfile.write(body)
      h.ThreadingHTTPServer(("", 8080), H).serve_forever()
    ports: [{ containerPort: 8080 }]
    readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }${restricted}
`;

/** A pod that only waits, to run fetch from inside a namespace (kubectl exec). */
const clientPod = (ns: string) => `
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: ${ns} }
spec:
  containers:
  - name: client
    image: ${IMAGE}
    imagePullPolicy: IfNotPresent
    command: [node, -e, "setInterval(() => {}, 1 << 30)"]${restricted}
`;

const server = (withNetwork: boolean) => `
apiVersion: mcp.sidecar.dev/v1alpha1
kind: McpServer
metadata: { name: ${NAME} }
spec:
  # --allow-private-ips: the server's own refusal of private addresses is off, so only the
  # NetworkPolicy stands between it and the in-cluster web servers.
  command: [mcp-server-fetch, --ignore-robots-txt, --allow-private-ips]
  sessions: { mode: shared }
${withNetwork ? `  network:
    ingress:
      from:
        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${ALLOWED_NS} } }
    egress:
      allow:
        - to: [{ podSelector: { matchLabels: { e2e-web: ${WEB_ALLOWED} } } }]
          ports: [{ protocol: TCP, port: 8080 }]` : ''}
`;

/** GET <url> from inside the client pod of a namespace: "status 200", or the error code (refused, timeout). */
async function fetchFrom(ns: string, url: string): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(3000) })
    .then((r) => console.log('status ' + r.status))
    .catch((e) => console.log('error ' + (e.cause?.code ?? e.name)))`;
  return (await kubectl(['exec', '-n', ns, 'client', '--', 'node', '-e', script], { timeoutMs: 30_000 })).trim();
}

/** What the fetch tool returns for a URL (the server's own error text when it cannot connect). */
async function fetchTool(url: string): Promise<string> {
  const base = await serviceUrl(NAME, '');
  return withClient(base, 'http', (c) => callText(c, 'fetch', { url, raw: true, max_length: 200 }).catch((err: unknown) => `tool error: ${String(err)}`));
}

const podIp = async (name: string): Promise<string> =>
  (await getJson<{ status: { podIP?: string } }>(['get', 'pod', name, '-n', NAMESPACE])).status.podIP ?? '';

let allowedIp = '';
let deniedIp = '';
let healthz = '';

beforeAll(async () => {
  await ensureSystem();
  for (const ns of [ALLOWED_NS, OTHER_NS]) {
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
    await kubectl(['apply', '-f', '-'], { input: clientPod(ns) });
  }
  await kubectl(['apply', '-n', NAMESPACE, '-f', '-'], { input: webServer(WEB_ALLOWED, 'marker-allowed') + '---' + webServer(WEB_DENIED, 'marker-denied') });
  await applyManifest(server(true));
  for (const ns of [ALLOWED_NS, OTHER_NS]) await kubectl(['wait', '-n', ns, '--for=condition=Ready', 'pod/client', '--timeout=180s'], { timeoutMs: 190_000 });
  await kubectl(['wait', '-n', NAMESPACE, '--for=condition=Ready', `pod/${WEB_ALLOWED}`, `pod/${WEB_DENIED}`, '--timeout=180s'], { timeoutMs: 190_000 });
  await waitReady(NAME, 240_000);
  await waitServing(await serviceUrl(NAME, ''));
  allowedIp = await podIp(WEB_ALLOWED);
  deniedIp = await podIp(WEB_DENIED);
  healthz = await serviceUrl(NAME, '/healthz');
}, 900_000);

afterAll(async () => {
  await deleteServer(NAME);
  await kubectl(['delete', 'pod', WEB_ALLOWED, WEB_DENIED, '-n', NAMESPACE, '--ignore-not-found', '--wait=false']);
  await kubectl(['delete', 'namespace', ALLOWED_NS, OTHER_NS, '--ignore-not-found', '--wait=false']);
}, 180_000);

describe('spec.network, enforced by the cluster NetworkPolicy engine', () => {
  it('when spec.network is set, then the operator owns a NetworkPolicy and still verifies the server through it', async () => {
    const policy = await getJson<{ metadata: { ownerReferences?: { kind: string; name: string }[] }; spec: { policyTypes: string[] } }>(
      ['get', 'networkpolicy', NAME, '-n', NAMESPACE]);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'McpServer', name: NAME });
    // The MCP probe comes from the operator's namespace: let in by the policy.
    const o = await waitFor(`${NAME} ServerVerified=True`, 180_000, async () => {
      const m = await mcpServer(NAME);
      return condition(m, 'ServerVerified')?.status === 'True' ? m : undefined;
    }, 1000);
    expect(condition(o, 'ServerVerified')?.reason).toBe('Discovered');
  }, 200_000);

  it('when a pod of the allowed namespace connects, then it is served; from another namespace, it is refused', async () => {
    expect(await fetchFrom(ALLOWED_NS, healthz)).toBe('status 200');
    // kube-router programs the policy shortly after it is created: wait for the refusal, then check it holds.
    const refused = await waitFor('the other namespace refused', 60_000, async () => {
      const r = await fetchFrom(OTHER_NS, healthz);
      return r.startsWith('error ') ? r : undefined;
    });
    expect(refused).toMatch(/^error (ECONNREFUSED|TimeoutError|EHOSTUNREACH|ETIMEDOUT)$/);
    expect(await fetchFrom(OTHER_NS, healthz)).toMatch(/^error /);
    expect(await fetchFrom(ALLOWED_NS, healthz)).toBe('status 200');
  }, 120_000);

  it('when the server fetches, then the web server in its egress list answers and the other one is unreachable', async () => {
    expect(await fetchTool(`http://${allowedIp}:8080/`)).toContain('marker-allowed');
    const denied = await fetchTool(`http://${deniedIp}:8080/`);
    expect(denied).not.toContain('marker-denied');
    expect(denied).toMatch(/fail|error|refused|timed? ?out/i);
  }, 120_000);

  it('when spec.network is removed, then the NetworkPolicy is deleted and both directions are open again', async () => {
    await applyManifest(server(false));
    await waitFor('the NetworkPolicy deleted', 60_000, async () => ((await exists(['networkpolicy', NAME, '-n', NAMESPACE])) ? undefined : true), 1000);
    expect(await waitFor('the other namespace served', 60_000, async () => {
      const r = await fetchFrom(OTHER_NS, healthz);
      return r === 'status 200' ? r : undefined;
    })).toBe('status 200');
    expect(await fetchTool(`http://${deniedIp}:8080/`)).toContain('marker-denied');
  }, 120_000);
});

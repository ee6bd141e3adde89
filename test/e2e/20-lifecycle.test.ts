// One McpServer of our own through its whole life: scale (kubectl scale), sessions across replicas (the
// relay to the owner pod), a deleted pod and truthful status, a rolling update under load, deletion.
import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { NAMESPACE, condition, kubectl, mcpServer, podReady, podsOf, serviceUrl, waitFor, waitReady, waitServing } from './lib/kube.js';
import { callText, connect, withClient } from './lib/mcp.js';
import { applyManifest, deleteServer, ensureSystem } from './lib/system.js';

const NAME = `e2e-life-${randomBytes(2).toString('hex')}`;
const manifest = (extraEnv: string) => `
apiVersion: mcp.sidecar.dev/v1alpha1
kind: McpServer
metadata: { name: ${NAME} }
spec:
  command: [npx, -y, "@modelcontextprotocol/server-everything"]
  env:
    - name: POD_NAME
      valueFrom: { fieldRef: { fieldPath: metadata.name } }
    - { name: E2E_REVISION, value: "${extraEnv}" }
  sessions: { mode: perSession }
`;

/** The POD_NAME the session's server process sees (server-everything's get-env tool). */
async function ownerOf(c: Client): Promise<string> {
  const env = JSON.parse(await callText(c, 'get-env', {})) as Record<string, string>;
  const pod = env.POD_NAME;
  if (pod === undefined) throw new Error('POD_NAME not in the server env');
  return pod;
}

/** The message of an error and of its causes (fetch failures hide the socket error in `cause`). */
function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? `${e.message}${'code' in e ? ` (${String((e as { code: unknown }).code)})` : ''}` : JSON.stringify(e));
  }
  return parts.join(' <- ');
}

/** A raw JSON-RPC POST with a session id to one address (a pod IP or the Service). */
async function rawCall(baseUrl: string, sessionId: string, protocol: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': protocol },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * Waits until the Service's endpoints are exactly the ready pods and 10 requests in a row through it work:
 * after pod deletions, a stale endpoint would refuse connections for a moment (kube-proxy catching up).
 */
async function settled(replicas: number): Promise<void> {
  await waitFor('endpoints = ready pods, and the Service answering', 120_000, async () => {
    const ready = (await podsOf(NAME)).filter(podReady).map((p) => p.status?.podIP ?? '').sort();
    if (ready.length !== replicas) return undefined;
    const slices = JSON.parse(await kubectl(['get', 'endpointslices', '-n', NAMESPACE, '-l', `kubernetes.io/service-name=${NAME}`, '-o', 'json'])) as {
      items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[];
    };
    const ips = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).flatMap((e) => e.addresses)).sort();
    if (JSON.stringify(ips) !== JSON.stringify(ready)) return undefined;
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) });
      if (res.status !== 200) return undefined;
      await res.body?.cancel();
    }
    return true;
  });
}

let url = '';
beforeAll(async () => {
  await ensureSystem();
  await applyManifest(manifest('1'));
  await waitReady(NAME, 240_000);
  url = await serviceUrl(NAME, '');
  await waitServing(url);
}, 900_000);
afterAll(async () => {
  await deleteServer(NAME).catch(() => undefined);
}, 180_000);

describe('scaling', () => {
  it('when scaled with kubectl scale to 3, then every replica is Ready and status says 3/3', async () => {
    await kubectl(['scale', `mcp/${NAME}`, '-n', NAMESPACE, '--replicas=3']);
    const o = await waitReady(NAME, 300_000);
    expect(o.status?.readyReplicas).toBe(3);
    expect(o.status?.replicas).toBe(3);
    const pods = await podsOf(NAME);
    expect(pods.filter(podReady)).toHaveLength(3);
    expect(o.status?.selector).toBe(`app.kubernetes.io/instance=${NAME},app.kubernetes.io/name=mcp-server`);
  }, 330_000);

  it('when a session sends requests through the Service, then each one is served by the pod owning the session', async () => {
    for (const kind of ['http', 'sse'] as const) {
      await withClient(url, kind, async (c) => {
        const owner = await ownerOf(c);
        for (let i = 0; i < 15; i++) expect(await ownerOf(c)).toBe(owner);
      });
    }
  }, 120_000);

  it('when a request with the session id goes straight to each pod, then every pod relays it to the owner', async () => {
    const c = await connect(url, 'http');
    try {
      const t = c.transport as StreamableHTTPClientTransport;
      const owner = await ownerOf(c);
      const pods = (await podsOf(NAME)).filter(podReady);
      expect(pods).toHaveLength(3);
      for (const [i, p] of pods.entries()) {
        const r = await rawCall(`http://${p.status?.podIP ?? ''}:8080`, t.sessionId ?? '', t.protocolVersion ?? '2025-06-18',
          { jsonrpc: '2.0', id: 100 + i, method: 'tools/call', params: { name: 'get-env', arguments: {} } });
        expect(r.status).toBe(200);
        expect(r.text).toContain(owner);
      }
    } finally {
      await c.close();
    }
  }, 120_000);
});

describe('a deleted pod', () => {
  it('when a pod is deleted, then status shows fewer ready replicas, and Ready again once the replacement is up', async () => {
    const before = (await podsOf(NAME)).filter(podReady);
    const victim = before[0]?.metadata.name ?? '';
    await kubectl(['delete', 'pod', victim, '-n', NAMESPACE, '--wait=false']);
    const seen = await waitFor('status to report the missing replica', 60_000, async () => {
      const o = await mcpServer(NAME);
      return (o.status?.readyReplicas ?? 0) < 3 || condition(o, 'Ready')?.status !== 'True' ? o : undefined;
    }, 200);
    expect(condition(seen, 'Ready')?.status).not.toBe('True');
    const o = await waitReady(NAME, 240_000);
    expect(o.status?.readyReplicas).toBe(3);
    // Ready=True is true: three ready pods, none of them the deleted one.
    const ready = (await podsOf(NAME)).filter(podReady);
    expect(ready.map((p) => p.metadata.name)).not.toContain(victim);
    expect(ready.length).toBe(3);
  }, 330_000);

  it('when the pod owning a session is deleted, then the session answers 404 (-32001) through the Service, so clients re-initialize', async () => {
    const c = await connect(url, 'http');
    const t = c.transport as StreamableHTTPClientTransport;
    const owner = await ownerOf(c);
    const session = t.sessionId ?? '';
    const protocol = t.protocolVersion ?? '2025-06-18';
    await kubectl(['delete', 'pod', owner, '-n', NAMESPACE, '--wait=true', '--timeout=90s'], { timeoutMs: 100_000 });
    await settled((await mcpServer(NAME)).spec.replicas ?? 1).catch(() => undefined);
    const t0 = Date.now();
    const r = await rawCall(url, session, protocol, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const tookMs = Date.now() - t0;
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: -32001 } });
    // "promptly": the relaying replica must not wait for a TCP connect timeout to the vanished pod IP.
    expect(tookMs).toBeLessThan(10_000);
    await c.close().catch(() => undefined);
    await waitReady(NAME, 240_000);
  }, 360_000);
});

describe('a rolling update', () => {
  const outcome = { inFlight: [] as string[], fresh: { ok: 0, failed: [] as string[] }, replicas: 0, readyReplicas: -1 };

  it('when the spec changes while calls are in flight, then pods roll and every call that started before finishes', async () => {
    const replicas = (await mcpServer(NAME)).spec.replicas ?? 1;
    await settled(replicas);
    const oldPods = new Set((await podsOf(NAME)).map((p) => p.metadata.name));
    // Calls that start before the change: long enough to be in flight while their pod is replaced.
    const clients = await Promise.all([0, 1, 2, 3, 4, 5].map(() => connect(url, 'http')));
    const inFlight = clients.map((c) => callText(c, 'trigger-long-running-operation', { duration: 6, steps: 3 }).then(
      () => 'ok', (err: unknown) => `failed: ${describeError(err)}`));
    // LiteLLM-style traffic (a new session per call) during the whole rollout; judged by the next test.
    const run = { stop: false };
    const traffic = (async () => {
      while (!run.stop) {
        try {
          await withClient(url, 'http', (c) => callText(c, 'echo', { message: 'during-rollout' }, 20_000));
          outcome.fresh.ok++;
        } catch (err) {
          outcome.fresh.failed.push(`${new Date().toISOString()} ${describeError(err)}`);
        }
      }
    })();
    await kubectl(['patch', 'mcpserver', NAME, '-n', NAMESPACE, '--type=merge', '-p',
      JSON.stringify({ spec: { env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'E2E_REVISION', value: '2' }] } })]);
    const o = await waitFor('the rollout to finish (Ready, only new pods)', 400_000, async () => {
      const s = await mcpServer(NAME);
      if (condition(s, 'Ready')?.status !== 'True' || s.status?.observedGeneration !== s.metadata.generation) return undefined;
      const pods = await podsOf(NAME);
      return pods.length === replicas && pods.every((p) => podReady(p) && !oldPods.has(p.metadata.name)) ? s : undefined;
    }, 1000);
    run.stop = true;
    await traffic;
    outcome.inFlight = await Promise.all(inFlight);
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    outcome.replicas = replicas;
    outcome.readyReplicas = o.status?.readyReplicas ?? 0;
    expect(outcome.readyReplicas).toBe(replicas);
    expect(outcome.inFlight.filter((r) => r !== 'ok')).toEqual([]);
  }, 480_000);

  // docs/e2e.md, finding 6: fresh sessions met 503 -32003 or a reset from pods past their drain until SSE
  // responses said Connection: close (a stream's kept-alive connection went back to the client's pool,
  // pinned to the stopping pod). Every failure is printed with its time.
  it('when clients open new sessions during that rollout (LiteLLM: one per call), then none of them fails', () => {
    expect(outcome.fresh.ok).toBeGreaterThan(0);
    process.stderr.write(`rolling update: ${outcome.fresh.ok} fresh sessions served, ${outcome.fresh.failed.length} failed\n${outcome.fresh.failed.slice(0, 5).map((f) => `  failed: ${f}\n`).join('')}`);
    expect({ failed: outcome.fresh.failed.slice(0, 3), count: outcome.fresh.failed.length }).toEqual({ failed: [], count: 0 });
  });
});

describe('deletion', () => {
  it('when the McpServer is deleted, then its Deployment, Service, Secret and pods go', async () => {
    const children = await kubectl(['get', 'deploy,svc,secret', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${NAME}`, '-o', 'name']);
    expect(children.trim().split('\n').sort()).toEqual([`deployment.apps/${NAME}`, `secret/${NAME}-session-key`, `service/${NAME}`].sort());
    await deleteServer(NAME, 180_000);
  }, 240_000);
});

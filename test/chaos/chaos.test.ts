// Chaos on the local cluster (test/chaos/run.sh; not part of `npm test`: see docs/reliability.md). Under a
// steady, bounded load from real clients against a shared-mode McpServer with 2 replicas, one component at
// a time is killed with SIGKILL and brought back by hack/cluster-up.sh (hack/chaos.sh): kube-apiserver,
// etcd, kubelet, containerd, and the operator's pod (force-deleted right after a spec change, so mid-
// reconcile). For each event: the data plane keeps answering (failed calls counted; the goal for shared
// mode is zero), every McpServer is Ready again within the stated time, the operator converges with
// exactly one Deployment and one Service per McpServer, and its writes after the event stay bounded.
// Figures are printed (and written to $E2E_FIGURES_DIR/chaos.json) for docs/reliability.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { metricValue } from '../lib/prometheus.js';
import { NAMESPACE, RELEASE, SYSTEM_NAMESPACE, getJson, kubectl, podReady, serviceUrl, sh, waitFor, waitReady, waitServing } from '../e2e/lib/kube.js';
import { ROOT, callText, textOf, withClient } from '../e2e/lib/mcp.js';
import { SAMPLES, applyManifest, deleteServer, ensureSystem } from '../e2e/lib/system.js';

const NAME = `chaos-${randomBytes(2).toString('hex')}`;
const WORKERS = 3;
/** Every McpServer is Ready again within this after the component is back. */
const READY_WITHIN_MS = 180_000;

const manifest = JSON.stringify({
  apiVersion: 'mcp.sidecar.dev/v1alpha1',
  kind: 'McpServer',
  metadata: { name: NAME },
  spec: { command: ['npx', '-y', '@modelcontextprotocol/server-everything'], replicas: 2, sessions: { mode: 'shared' } },
});

const fetchClose = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const headers = new Headers(init?.headers);
  headers.set('connection', 'close');
  return fetch(input, { ...init, headers, signal: AbortSignal.timeout(30_000) });
};

interface Load {
  calls: number;
  failures: { at: number; what: string }[];
  stop: () => Promise<void>;
}

/** Modern clients (any pod serves them) and one 2025-era session, calling echo until stopped. */
async function startLoad(url: string): Promise<Load> {
  const state: Load = { calls: 0, failures: [], stop: () => Promise.resolve() };
  let stopping = false;
  const legacy = new Client({ name: 'chaos-legacy', version: '1.0.0' });
  await legacy.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { fetch: fetchClose }));
  const call = async (client: ModernClient | Client, message: string): Promise<void> => {
    try {
      const text = textOf(await client.callTool({ name: 'echo', arguments: { message } }));
      if (!text.includes(message)) state.failures.push({ at: Date.now(), what: `wrong answer to ${message}` });
      state.calls++;
    } catch (err) {
      state.failures.push({ at: Date.now(), what: `${message}: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  const modern = async (i: number): Promise<void> => {
    const c = new ModernClient({ name: `chaos-${String(i)}`, version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await c.connect(new ModernTransport(new URL(`${url}/mcp`), { fetch: fetchClose }));
    for (let n = 0; !stopping; n++) await call(c, `m${String(i)}-${String(n)}`);
    await c.close();
  };
  const legacyLoop = async (): Promise<void> => {
    for (let n = 0; !stopping; n++) await call(legacy, `l-${String(n)}`);
    await legacy.close();
  };
  const all = Promise.all([...Array.from({ length: WORKERS }, (_, i) => modern(i)), legacyLoop()]);
  state.stop = async () => {
    stopping = true;
    await all;
  };
  return state;
}

async function operatorPod(): Promise<{ name: string; ip: string }> {
  const pods = await getJson<{ items: { metadata: { name: string; deletionTimestamp?: string }; status?: { podIP?: string; conditions?: { type: string; status: string }[] } }[] }>(
    ['get', 'pods', '-n', SYSTEM_NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`]);
  const p = pods.items.find((x) => podReady(x));
  if (p === undefined) throw new Error('no ready operator pod');
  return { name: p.metadata.name, ip: p.status?.podIP ?? '' };
}

async function operatorWrites(): Promise<number> {
  const { ip } = await operatorPod();
  const res = await fetch(`http://${ip}:8081/metrics`, { signal: AbortSignal.timeout(10_000) });
  return metricValue(await res.text(), 'mcp_operator_writes_total');
}

const serverNames = () => [...SAMPLES.map((s) => s.name), NAME];

async function allReady(): Promise<void> {
  await Promise.all(serverNames().map((n) => waitReady(n, READY_WITHIN_MS)));
}

/** Exactly one Deployment and one Service per McpServer (no duplicates, none lost). */
async function childrenExact(): Promise<string[]> {
  const problems: string[] = [];
  for (const kind of ['deployments', 'services']) {
    const list = await getJson<{ items: { metadata: { labels?: Record<string, string> } }[] }>(['get', kind, '-n', NAMESPACE, '-l', 'app.kubernetes.io/managed-by=mcp-sidecar-operator']);
    for (const n of serverNames()) {
      const count = list.items.filter((o) => o.metadata.labels?.['mcp.sidecar.dev/server'] === n).length;
      if (count !== 1) problems.push(`${kind} of ${n}: ${String(count)}`);
    }
  }
  return problems;
}

interface EventFigures { event: string; failedCalls: number; failingSeconds: number; calls: number; backInSeconds: number; readyInSeconds: number; operatorWrites: number; firstFailure?: string }
const figures: EventFigures[] = [];
let url = '';
let load: Load;

beforeAll(async () => {
  await ensureSystem();
  await applyManifest(manifest);
  await waitReady(NAME, 300_000);
  url = await serviceUrl(NAME, '');
  await waitServing(url);
  load = await startLoad(url);
}, 600_000);

afterAll(async () => {
  await load.stop();
  const dir = process.env.E2E_FIGURES_DIR;
  process.stdout.write(`chaos figures: ${JSON.stringify(figures)}\n`);
  if (dir !== undefined && dir !== '') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'chaos.json'), JSON.stringify(figures, null, 2));
  }
  await deleteServer(NAME);
}, 300_000);

async function event(name: string, act: () => Promise<number>): Promise<EventFigures> {
  const writesBefore = name === 'operator' ? 0 : await operatorWrites();
  const failuresBefore = load.failures.length;
  const callsBefore = load.calls;
  const t0 = Date.now();
  const backInSeconds = await act();
  await allReady();
  const readyInSeconds = Math.round((Date.now() - t0) / 100) / 10;
  // A few more calls after recovery, so a failure that shows only after the component is back is counted.
  const callsAtReady = load.calls;
  await waitFor('calls after recovery', 60_000, () => Promise.resolve(load.calls >= callsAtReady + 20 ? true : undefined));
  const failed = load.failures.slice(failuresBefore);
  const f: EventFigures = {
    event: name,
    failedCalls: failed.length,
    // From the first failed call to the last: how long the data plane was unreachable.
    failingSeconds: failed.length === 0 ? 0 : Math.round(((failed[failed.length - 1]?.at ?? 0) - (failed[0]?.at ?? 0)) / 100) / 10,
    calls: load.calls - callsBefore,
    backInSeconds,
    readyInSeconds,
    operatorWrites: (await operatorWrites()) - writesBefore,
    ...(failed[0] === undefined ? {} : { firstFailure: failed[0].what.slice(0, 200) }),
  };
  figures.push(f);
  return f;
}

const restart = (component: string) => async (): Promise<number> =>
  Number((await sh('bash', [join(ROOT, 'hack/chaos.sh'), 'restart', component], { timeoutMs: 600_000 })).trim().split('\n').pop());

describe('chaos: one component at a time, under load', () => {
  it.each(['kube-apiserver', 'etcd', 'containerd'])('when %s is killed and comes back, then no call fails, every McpServer is Ready again and its children are exact', async (component) => {
    const f = await event(component, restart(component));
    expect(await childrenExact()).toEqual([]);
    expect(f.failedCalls).toBe(0);
    expect(f.calls).toBeGreaterThan(0);
  }, 900_000);

  // A restarted kubelet reports every container not ready until its probes pass again (Kubernetes
  // behaviour, not the pods': they keep running), so on one node every endpoint of the Service goes at
  // once. Calls then fail fast (connection refused, never a hang) for about a readiness period (5 s).
  it('when the kubelet is killed and comes back, then calls fail only fast and briefly, everything is Ready again with exact children, and the memory sample kept its data', async () => {
    // The memory sample's knowledge graph (on its claim) must survive it too.
    const memory = await serviceUrl('memory', '');
    const entity = `chaos-${randomBytes(3).toString('hex')}`;
    await withClient(memory, 'http', (c) => callText(c, 'create_entities', { entities: [{ name: entity, entityType: 'test', observations: ['before the kubelet restart'] }] }));
    const f = await event('kubelet', restart('kubelet'));
    expect(await childrenExact()).toEqual([]);
    expect(f.failingSeconds).toBeLessThanOrEqual(10);
    expect(f.calls).toBeGreaterThan(f.failedCalls);
    const found = await waitFor('the entity after the kubelet restart', 60_000, () => withClient(memory, 'http', (c) => callText(c, 'search_nodes', { query: entity })));
    expect(found).toContain('before the kubelet restart');
  }, 900_000);

  it('when the operator pod is killed mid-reconcile, then a new one converges without duplicates and without a write storm', async () => {
    const f = await event('operator', async () => {
      const { name } = await operatorPod();
      // Work for it (a scale-up: a Deployment write and status updates, no rollout, so no session loses
      // its pod), then SIGKILL (force delete: no grace) while it may be at it.
      await kubectl(['scale', 'mcpserver', NAME, '-n', NAMESPACE, '--replicas=3']);
      const t0 = Date.now();
      await kubectl(['delete', 'pod', name, '-n', SYSTEM_NAMESPACE, '--grace-period=0', '--force']);
      await waitFor('a new operator pod', 180_000, async () => ((await operatorPod().catch(() => undefined))?.name ?? name) !== name ? true : undefined);
      return Math.round((Date.now() - t0) / 100) / 10;
    });
    expect(await childrenExact()).toEqual([]);
    expect(f.failedCalls).toBe(0);
    // A new operator applies each child once and writes status where it changed: at most 4 writes per
    // McpServer (Deployment, Service, Secret check, status), plus the status changes of the scale-up.
    expect(f.operatorWrites).toBeLessThanOrEqual(4 * serverNames().length + 8);
  }, 900_000);
});

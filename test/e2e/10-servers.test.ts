// Every sample through its Service (ClusterIP from the host), with real clients and real effects.
import { randomBytes } from 'node:crypto';
import { NAMESPACE, condition, getJson, kubectl, mcpServer, podReady, podsOf, serviceUrl, waitFor, waitReady, waitServing } from './lib/kube.js';
import { callText, havePython, pythonRounds, toolNames, withClient } from './lib/mcp.js';
import { SAMPLES, applyManifest, deleteServer, ensureSystem } from './lib/system.js';

const tag = randomBytes(4).toString('hex');
const base = (name: string) => serviceUrl(name, '');

beforeAll(() => ensureSystem(), 600_000);

describe('filesystem (embedded, per-session processes, emptyDir on /data)', () => {
  it('when a client writes a file, then it reads the same content back, over both transports', async () => {
    const url = await base('filesystem');
    const path = `/data/e2e-${tag}.txt`;
    await withClient(url, 'http', async (c) => {
      expect(await toolNames(c)).toEqual(expect.arrayContaining(['write_file', 'read_text_file', 'list_directory']));
      await callText(c, 'write_file', { path, content: `hello ${tag}` });
      expect(await callText(c, 'read_text_file', { path })).toBe(`hello ${tag}`);
    });
    await withClient(url, 'sse', async (c) => {
      expect(await callText(c, 'list_directory', { path: '/data' })).toContain(`e2e-${tag}.txt`);
    });
  }, 120_000);
});

describe('memory (embedded, one shared process, PersistentVolumeClaim)', () => {
  it('when one session stores an entity, then another session finds it, and it survives the pod being replaced, the new pod waiting for the old one to stop writing', async () => {
    const url = await base('memory');
    const entity = `e2e-${tag}`;
    await withClient(url, 'sse', async (c) => {
      await callText(c, 'create_entities', { entities: [{ name: entity, entityType: 'test', observations: [`stored by ${tag}`] }] });
    });
    await withClient(url, 'http', async (c) => {
      expect(await callText(c, 'search_nodes', { query: entity })).toContain(`stored by ${tag}`);
    });
    const [old] = await podsOf('memory');
    if (old === undefined) throw new Error('no memory pod');
    await kubectl(['delete', 'pod', old.metadata.name, '-n', NAMESPACE, '--wait=false']);
    // The ReplicaSet replaces the pod at once while the old one drains; the data lock (--data-lock) keeps
    // the new pod's server from starting, so it is not ready, until the old pod's containers have exited.
    const order: string[] = [];
    let replacement = '';
    await waitFor('a new memory pod ready, the old one stopped', 240_000, async () => {
      const pods = await podsOf('memory');
      const previous = pods.find((p) => p.metadata.name === old.metadata.name);
      const stopped = previous === undefined || previous.status?.phase === 'Succeeded' || previous.status?.phase === 'Failed';
      const fresh = pods.find((p) => p.metadata.name !== old.metadata.name && podReady(p));
      if (stopped && !order.includes('old stopped')) order.push('old stopped');
      if (fresh !== undefined && !order.includes('new ready')) order.push('new ready');
      if (fresh !== undefined) replacement = fresh.metadata.name;
      return stopped && fresh !== undefined ? true : undefined;
    }, 250);
    expect(order[0]).toBe('old stopped');
    // Not by chance (a slow replacement): it said it waited for the lock.
    expect(await kubectl(['logs', replacement, '-n', NAMESPACE, '-c', 'bridge'])).toContain('waiting for the data lock');
    await waitReady('memory', 180_000);
    await waitFor('the old memory pod to be gone', 120_000, async () => ((await podsOf('memory')).some((p) => p.metadata.name === old.metadata.name) ? undefined : true));
    // The Service routes to the new pod once kube-proxy has its endpoint: retry the connection until then.
    const found = await waitFor('the entity through the new pod', 60_000, () =>
      withClient(url, 'http', (c) => callText(c, 'search_nodes', { query: entity })));
    expect(found).toContain(`stored by ${tag}`);
  }, 420_000);
});

describe('memory: one writer, whatever is asked', () => {
  it('when it is scaled to 2, then it stays at 1 pod and says why; when its template changes, then the old pod stops before the new one starts and the data is still there', async () => {
    const url = await base('memory');
    const entity = `e2e-rollout-${tag}`;
    await withClient(url, 'http', async (c) => {
      await callText(c, 'create_entities', { entities: [{ name: entity, entityType: 'test', observations: [`kept by ${tag}`] }] });
    });
    await kubectl(['scale', 'mcpserver', 'memory', '-n', NAMESPACE, '--replicas=2']);
    const limited = await waitFor('ScalingLimited=True', 60_000, async () => {
      const m = await mcpServer('memory');
      return condition(m, 'ScalingLimited')?.status === 'True' ? m : undefined;
    });
    expect(condition(limited, 'ScalingLimited')?.message).toContain('memory-data');
    const deployment = await getJson<{ spec: { replicas: number; strategy: { type: string } } }>(['get', 'deployment', 'memory', '-n', NAMESPACE]);
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    await kubectl(['scale', 'mcpserver', 'memory', '-n', NAMESPACE, '--replicas=1']);

    // A rolling update of a single-writer server: Recreate, so never two pods on the claim at once.
    // Start from one pod and nothing terminating (the pod deleted by the test above may still be draining).
    const old = await waitFor('one memory pod, ready, none terminating', 180_000, async () => {
      const pods = await podsOf('memory');
      const [only] = pods;
      return pods.length === 1 && only !== undefined && podReady(only) ? only : undefined;
    });
    await kubectl(['patch', 'mcpserver', 'memory', '-n', NAMESPACE, '--type=merge', '-p', JSON.stringify({ spec: { env: [{ name: 'MEMORY_FILE_PATH', value: '/data/memory.jsonl' }, { name: 'E2E_ROLL', value: tag }] } })]);
    let most = 0;
    const seen: string[] = [];
    await waitFor('a new memory pod serving, the old one gone', 240_000, async () => {
      // Terminating pods count while their containers may run; a pod whose containers have all exited
      // (phase Succeeded/Failed: the bridge ended its drain) has stopped, and Recreate rightly starts the
      // new one then, while the old object still waits for its final deletion.
      const pods = await podsOf('memory');
      const running = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
      if (running.length > most) seen.push(pods.map((p) => `${p.metadata.name}:${p.status?.phase ?? '?'}${p.metadata.deletionTimestamp !== undefined ? ':terminating' : ''}`).join(' '));
      most = Math.max(most, running.length);
      const [only] = pods;
      return pods.length === 1 && only !== undefined && only.metadata.name !== old.metadata.name && podReady(only) ? true : undefined;
    });
    expect({ most, seen }).toEqual({ most: 1, seen: [expect.any(String)] });
    await waitReady('memory', 180_000);
    const found = await waitFor('the entity after the rollout', 60_000, () => withClient(url, 'http', (c) => callText(c, 'search_nodes', { query: entity })));
    expect(found).toContain(`kept by ${tag}`);
  }, 600_000);
});

describe('everything (embedded, shared)', () => {
  it('when the TypeScript SDK calls echo over both transports, then it gets its message back', async () => {
    const url = await base('everything');
    for (const kind of ['http', 'sse'] as const) {
      await withClient(url, kind, async (c) => {
        expect(await toolNames(c)).toEqual(expect.arrayContaining(['echo', 'get-sum']));
        expect(await callText(c, 'echo', { message: `${kind}-${tag}` })).toContain(`${kind}-${tag}`);
      });
    }
  }, 120_000);

  (havePython() ? it : it.skip)('when the Python SDK client uses it the LiteLLM way (a session per call), then every round works over both transports', async () => {
    const url = await base('everything');
    for (const [kind, path] of [['http', '/mcp'], ['sse', '/sse']] as const) {
      const rounds = await pythonRounds(`${url}${path}`, kind, 3);
      expect(rounds).toHaveLength(3);
      rounds.forEach((r, i) => expect(r.echo).toContain(`round-${i}`));
    }
  }, 180_000);
});

describe('fetch (Python mcp-server-fetch, preinstalled)', () => {
  const target = `http://everything.${NAMESPACE}.svc.cluster.local:8080/healthz`;

  it('when asked to fetch a cluster-internal URL, then the sample refuses it (private addresses are off by default)', async () => {
    await withClient(await base('fetch'), 'http', async (c) => {
      expect(await toolNames(c)).toContain('fetch');
      await expect(callText(c, 'fetch', { url: target, raw: true })).rejects.toThrow(/not a public address/);
    });
  }, 120_000);

  it('when started with --allow-private-ips, then it fetches a page from the cluster', async () => {
    const name = `e2e-fetch-${tag}`;
    const fetchSample = SAMPLES.find((s) => s.name === 'fetch');
    const command = [...(fetchSample?.command ?? []), '--allow-private-ips'];
    await applyManifest(JSON.stringify({ apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', metadata: { name }, spec: { command, sessions: { mode: 'shared' } } }));
    try {
      await waitReady(name, 180_000);
      await waitServing(await base(name));
      const text = await withClient(await base(name), 'http', (c) => callText(c, 'fetch', { url: target, raw: true }));
      expect(text).toMatch(/ok/i);
    } finally {
      await deleteServer(name);
    }
  }, 360_000);
});

describe('postgres (server-postgres against a real PostgreSQL)', () => {
  it('when asked a SQL query, then it answers from the database', async () => {
    const url = await base('postgres');
    await withClient(url, 'http', async (c) => {
      expect(await toolNames(c)).toContain('query');
      const text = await callText(c, 'query', { sql: "SELECT name FROM mcp_servers WHERE language = 'Python'" });
      expect(JSON.parse(text)).toEqual([{ name: 'fetch' }]);
    });
  }, 120_000);
});

describe('everything-sidecar (server image + injected stdio agent + bridge sidecar)', () => {
  it('when called over both transports, then the server behind the agent answers', async () => {
    const url = await base('everything-sidecar');
    for (const kind of ['http', 'sse'] as const) {
      await withClient(url, kind, async (c) => {
        expect(await callText(c, 'echo', { message: `sidecar-${kind}-${tag}` })).toContain(`sidecar-${kind}-${tag}`);
      });
    }
    const [pod] = await podsOf('everything-sidecar');
    const logs = await kubectl(['logs', '-n', NAMESPACE, pod?.metadata.name ?? '', '-c', 'server', '--tail=50']);
    expect(typeof logs).toBe('string');
  }, 120_000);
});

describe('sidecar topology: the pod of a call in flight is deleted', () => {
  const name = `e2e-sidecar-stop-${tag}`;
  beforeAll(async () => {
    await applyManifest(`
apiVersion: mcp.sidecar.dev/v1alpha1
kind: McpServer
metadata: { name: ${name} }
spec:
  image: "localhost/mcp-test-servers:local"
  command: [mcp-server-everything]
`);
    await waitReady(name, 240_000);
    await waitServing(await base(name));
  }, 300_000);
  afterAll(() => deleteServer(name), 180_000);

  it("when the pod is deleted during a call, then the call is answered: the server container's preStop hook lets the bridge drain first", async () => {
    const url = await base(name);
    const [pod] = await podsOf(name);
    const podName = pod?.metadata.name ?? '';
    await withClient(url, 'http', async (c) => {
      let started: () => void = () => undefined;
      const inFlight = new Promise<void>((resolve) => (started = resolve));
      const call = c.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 6, steps: 6 } }, undefined, { onprogress: () => started(), timeout: 60_000 });
      await inFlight; // the server is working on it
      // Without the hook Kubernetes stops the server container (agent and server) at once, and the call fails.
      await kubectl(['delete', 'pod', podName, '-n', NAMESPACE, '--wait=false']);
      expect(JSON.stringify(await call)).toContain('Long running operation completed');
    });
    // And the pod does go (the hook returns once the drain is over; the kubelet then stops both containers).
    await waitFor(`pod ${podName} gone`, 60_000, async () => ((await podsOf(name)).some((p) => p.metadata.name === podName) ? undefined : true));
  }, 180_000);
});

describe('everything-http (transport streamable-http, no bridge)', () => {
  it('when called over Streamable HTTP, then the server itself answers', async () => {
    const url = await base('everything-http');
    await withClient(url, 'http', async (c) => {
      expect(await callText(c, 'echo', { message: `direct-${tag}` })).toContain(`direct-${tag}`);
    });
  }, 120_000);
});

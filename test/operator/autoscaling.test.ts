// spec.autoscaling against a real apiserver and the real HPA controller (kube-controller-manager): the
// operator owns the HPA (on the McpServer's scale subresource) and a PDB, mirrors the HPA's view into
// status, follows what the HPA (or kubectl scale) writes within [min, max], and hands replicas back when
// autoscaling is removed. With a bridge-metric target it owns a KEDA ScaledObject instead (KEDA runs on
// the local cluster: hack/cluster-up.sh) and reads KEDA's HPA; switching hands over both ways (ADR 0106).
// And the single-writer guard of a ReadWriteOnce claim.
import { AutoscalingV2Api, PatchStrategy, PolicyV1Api, setHeaderOptions, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import {
  NODE_IMAGE,
  api,
  codeOf,
  condition,
  createMcpServer,
  createNamespace,
  deleteNamespace,
  getMcpServer,
  installCrd,
  mcpServer,
  patchMcpServerSpec,
  startOperator,
  waitFor,
  type RunningOperator,
} from './harness.js';

const a = api();
const PROMETHEUS = 'http://prometheus.monitoring.svc.cluster.local:9090';
const hpas = a.kc.makeApiClient(AutoscalingV2Api);
const pdbs = a.kc.makeApiClient(PolicyV1Api);
let open = '';
let blocked = '';
let ops: RunningOperator[] = [];

beforeAll(async () => {
  await installCrd(a);
  open = await createNamespace(a, 'op-as0');
  blocked = await createNamespace(a, 'op-as1', { noPods: true });
  // The second operator has no Prometheus address: bridge-metric targets are refused there.
  ops = [await startOperator(open, [`--autoscaling-prometheus-url=${PROMETHEUS}`]), await startOperator(blocked)];
}, 60_000);

afterAll(async () => {
  await Promise.all(ops.map((o) => o.stop()));
  await Promise.all([deleteNamespace(a, open), deleteNamespace(a, blocked)]);
});

async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (codeOf(err) === 404) return undefined;
    throw err;
  }
}
const hpa = (ns: string, name: string) => readOrUndefined(() => hpas.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name }));
const pdb = (ns: string, name: string) => readOrUndefined(() => pdbs.readNamespacedPodDisruptionBudget({ namespace: ns, name }));
const deploymentReplicas = async (ns: string, name: string) => (await a.apps.readNamespacedDeployment({ namespace: ns, name })).spec?.replicas;

/** A claim with no StorageClass to bind it: it stays Pending, which is all the guard needs (its access modes). */
async function claim(name: string, mode: string): Promise<void> {
  await a.objects.create({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: blocked },
    spec: { accessModes: [mode], resources: { requests: { storage: '1Mi' } } },
  });
}

/** kubectl scale mcp <name> --replicas=n (what the HPA does too: the scale subresource). */
async function scale(ns: string, name: string, replicas: number): Promise<void> {
  await a.custom.patchNamespacedCustomObjectScale(
    { group: 'mcp.sidecar.dev', version: 'v1alpha1', namespace: ns, plural: 'mcpservers', name, body: { spec: { replicas } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

const AUTO = {
  transport: 'streamable-http',
  image: NODE_IMAGE,
  imagePullPolicy: 'Never',
  command: ['node', '-e', "require('http').createServer((q, r) => r.end('ok')).listen(3000)"],
  port: 3000,
  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
  autoscaling: { minReplicas: 1, maxReplicas: 3, targets: { cpuUtilizationPercent: 80 }, scaleDownStabilizationSeconds: 30 },
};

describe('spec.autoscaling', () => {
  it('when autoscaling is on, then the operator owns an HPA on the McpServer and a PDB, and status mirrors the HPA', async () => {
    await createMcpServer(a, mcpServer(open, 'auto', AUTO));
    const h = await waitFor('the HPA', () => hpa(open, 'auto'), 60_000);
    expect(h.spec?.scaleTargetRef).toEqual({ apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', name: 'auto' });
    expect(h.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'McpServer', name: 'auto', controller: true });
    expect(h.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } });
    expect((await waitFor('the PDB', () => pdb(open, 'auto'))).spec?.maxUnavailable).toBe(1);
    // Whatever the HPA controller concludes about its metrics (with or without a metrics pipeline on this
    // cluster), the Autoscaling condition says the same, with the HPA's own reason.
    const [m, active] = await waitFor(
      'Autoscaling to mirror the HPA ScalingActive condition',
      async () => {
        const live: V2HorizontalPodAutoscaler | undefined = await hpa(open, 'auto');
        const c = live?.status?.conditions?.find((x) => x.type === 'ScalingActive');
        const mcp = await getMcpServer(a, open, 'auto');
        const mine = condition(mcp, 'Autoscaling');
        return c !== undefined && mine?.reason === (c.status === 'True' ? 'ScalingActive' : c.reason) ? ([mcp, c] as const) : undefined;
      },
      120_000,
    );
    expect(condition(m, 'Autoscaling')?.status).toBe(active.status);
  }, 180_000);

  it('when the replicas are written through the scale subresource, then the Deployment follows within [min, max]', async () => {
    await scale(open, 'auto', 2);
    await waitFor('Deployment at 2', async () => ((await deploymentReplicas(open, 'auto')) === 2 ? true : undefined));
    await scale(open, 'auto', 10);
    await waitFor('Deployment clamped to maxReplicas 3', async () => ((await deploymentReplicas(open, 'auto')) === 3 ? true : undefined));
  }, 60_000);

  it('when autoscaling is removed, then the HPA is deleted and spec.replicas is the user\'s again', async () => {
    await patchMcpServerSpec(a, open, 'auto', { autoscaling: null, replicas: 1 });
    await waitFor('the HPA deleted', async () => ((await hpa(open, 'auto')) === undefined ? true : undefined), 60_000);
    await waitFor('the PDB deleted (one pod)', async () => ((await pdb(open, 'auto')) === undefined ? true : undefined), 60_000);
    await waitFor('Deployment at 1', async () => ((await deploymentReplicas(open, 'auto')) === 1 ? true : undefined));
    const m = await waitFor('no Autoscaling condition', async () => {
      const o = await getMcpServer(a, open, 'auto');
      return condition(o, 'Autoscaling') === undefined && o.status?.autoscaling === undefined ? o : undefined;
    });
    expect(m.spec.replicas).toBe(1);
  }, 90_000);
});

/** KEDA's ScaledObject (keda.sh/v1alpha1), or undefined. */
const scaledObject = (ns: string, name: string) =>
  readOrUndefined(
    async () =>
      (await a.custom.getNamespacedCustomObject({ group: 'keda.sh', version: 'v1alpha1', namespace: ns, plural: 'scaledobjects', name })) as {
        metadata: { ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
        spec: { scaleTargetRef: unknown; minReplicaCount: number; maxReplicaCount: number; triggers: { type: string; metricType: string; metadata: Record<string, string> }[] };
      },
  );

const BRIDGED = {
  command: ['cat'],
  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
  autoscaling: { minReplicas: 1, maxReplicas: 3, targets: { cpuUtilizationPercent: 80 } },
};

describe('spec.autoscaling on bridge metrics: a KEDA ScaledObject', () => {
  it('when a bridge-metric target is added, then the HPA gives way to a ScaledObject on the McpServer, KEDA makes its HPA, and status mirrors that one', async () => {
    await createMcpServer(a, mcpServer(open, 'keda', BRIDGED));
    await waitFor('the operator\'s HPA', () => hpa(open, 'keda'), 60_000);
    await scale(open, 'keda', 2);
    await patchMcpServerSpec(a, open, 'keda', { autoscaling: { ...BRIDGED.autoscaling, targets: { cpuUtilizationPercent: 80, inFlightRequestsPerPod: 4 } } });
    const so = await waitFor('the ScaledObject', () => scaledObject(open, 'keda'), 60_000);
    expect(so.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'McpServer', name: 'keda', controller: true });
    expect(so.spec).toMatchObject({ scaleTargetRef: { apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', name: 'keda' }, minReplicaCount: 1, maxReplicaCount: 3 });
    expect(so.spec.triggers.map((t) => [t.type, t.metricType])).toEqual([['prometheus', 'AverageValue'], ['cpu', 'Utilization']]);
    await waitFor('the operator\'s HPA deleted', async () => ((await hpa(open, 'keda')) === undefined ? true : undefined), 60_000);
    // KEDA (its operator, a host daemon here) creates the HPA on the same scale subresource.
    const kedaHpa = await waitFor('KEDA\'s HPA keda-hpa-keda', () => hpa(open, 'keda-hpa-keda'), 60_000);
    expect(kedaHpa.spec?.scaleTargetRef).toMatchObject({ kind: 'McpServer', name: 'keda' });
    // Whatever the HPA concludes (Prometheus may not run during this tier), the condition says the same.
    await waitFor(
      'Autoscaling to mirror KEDA\'s HPA',
      async () => {
        const c = (await hpa(open, 'keda-hpa-keda'))?.status?.conditions?.find((x) => x.type === 'ScalingActive');
        const mine = condition(await getMcpServer(a, open, 'keda'), 'Autoscaling');
        return c !== undefined && mine?.reason === (c.status === 'True' ? 'ScalingActive' : c.reason) ? true : undefined;
      },
      120_000,
    );
    // The replicas written before the switch carried over: no autoscaler reset them.
    expect(await deploymentReplicas(open, 'keda')).toBe(2);
  }, 240_000);

  it('when the bridge-metric target is removed, then the ScaledObject (and KEDA\'s HPA) go and the operator\'s HPA is back', async () => {
    // A merge patch: null removes the key (the targets object would otherwise keep it).
    await patchMcpServerSpec(a, open, 'keda', { autoscaling: { ...BRIDGED.autoscaling, targets: { cpuUtilizationPercent: 80, inFlightRequestsPerPod: null } } });
    await waitFor('the operator\'s HPA again', () => hpa(open, 'keda'), 60_000);
    await waitFor('the ScaledObject deleted', async () => ((await scaledObject(open, 'keda')) === undefined ? true : undefined), 60_000);
    await waitFor('KEDA\'s HPA deleted', async () => ((await hpa(open, 'keda-hpa-keda')) === undefined ? true : undefined), 60_000);
  }, 150_000);

  it('when the operator has no Prometheus address, then a bridge-metric target gets no autoscaler and Autoscaling=False PrometheusNotConfigured', async () => {
    await createMcpServer(a, mcpServer(blocked, 'noprom', { ...BRIDGED, autoscaling: { ...BRIDGED.autoscaling, targets: { sessionsPerPod: 10 } } }));
    const m = await waitFor('Autoscaling=False', async () => {
      const o = await getMcpServer(a, blocked, 'noprom');
      return condition(o, 'Autoscaling')?.status === 'False' ? o : undefined;
    });
    expect(condition(m, 'Autoscaling')).toMatchObject({ reason: 'PrometheusNotConfigured', message: expect.stringContaining('--autoscaling-prometheus-url') as unknown });
    expect(condition(m, 'Reconciled')?.status).toBe('True');
    expect(await scaledObject(blocked, 'noprom')).toBeUndefined();
    expect(await hpa(blocked, 'noprom')).toBeUndefined();
  }, 60_000);
});

describe('the single-writer guard', () => {
  it('when a server writes to a ReadWriteOnce claim and asks for 3 pods, then it runs 1 with Recreate and says why', async () => {
    await claim('memory-data', 'ReadWriteOnce');
    await createMcpServer(
      a,
      mcpServer(blocked, 'memory', {
        command: ['npx', '-y', '@modelcontextprotocol/server-memory'],
        replicas: 3,
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'memory-data' } }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      }),
    );
    const m = await waitFor('ScalingLimited=True', async () => {
      const o = await getMcpServer(a, blocked, 'memory');
      return condition(o, 'ScalingLimited')?.status === 'True' ? o : undefined;
    });
    expect(condition(m, 'ScalingLimited')).toMatchObject({ reason: 'ReadWriteOnceClaim', message: expect.stringContaining('memory-data') as unknown });
    const d = await a.apps.readNamespacedDeployment({ namespace: blocked, name: 'memory' });
    expect(d.spec?.replicas).toBe(1);
    expect(d.spec?.strategy?.type).toBe('Recreate');
    expect(await pdb(blocked, 'memory')).toBeUndefined();
  }, 60_000);

  it('when the claim is ReadWriteMany, then the replicas asked for are run', async () => {
    await claim('shared-data', 'ReadWriteMany');
    await createMcpServer(
      a,
      mcpServer(blocked, 'many', {
        command: ['npx', '-y', '@modelcontextprotocol/server-memory'],
        replicas: 3,
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'shared-data' } }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      }),
    );
    await waitFor('Deployment at 3', async () => ((await readOrUndefined(() => deploymentReplicas(blocked, 'many'))) === 3 ? true : undefined));
    expect(condition(await getMcpServer(a, blocked, 'many'), 'ScalingLimited')).toBeUndefined();
  }, 60_000);
});

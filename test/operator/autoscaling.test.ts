// spec.autoscaling against a real apiserver and the real HPA controller (kube-controller-manager): the
// operator owns the HPA (on the McpServer's scale subresource) and a PDB, mirrors the HPA's view into
// status, follows what the HPA (or kubectl scale) writes within [min, max], and hands replicas back when
// autoscaling is removed. With a bridge-metric target and no KEDA in the cluster it says so (the hand-over
// to a KEDA ScaledObject needs KEDA running: cluster/keda-autoscaling.test.ts, ADR 0106).
// And the single-writer guard of a ReadWriteOnce claim.
import { AutoscalingV2Api, PolicyV1Api, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import {
  NODE_IMAGE,
  api,
  condition,
  createMcpServer,
  createNamespace,
  deleteNamespace,
  getMcpServer,
  installCrd,
  mcpServer,
  patchMcpServerSpec,
  readOrUndefined,
  scaleMcpServer,
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

const scale = (ns: string, name: string, replicas: number) => scaleMcpServer(a, ns, name, replicas);

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

const BRIDGED = {
  command: ['cat'],
  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
  autoscaling: { minReplicas: 1, maxReplicas: 3, targets: { inFlightRequestsPerPod: 4 } },
};

// With KEDA running, the ScaledObject hand-over is tested on the full cluster (cluster/keda-autoscaling.test.ts).
describe('spec.autoscaling on bridge metrics without KEDA (this control plane serves no keda.sh API)', () => {
  it('when a bridge-metric target is set and KEDA is not installed, then no autoscaler is made and Autoscaling=False KedaNotInstalled', async () => {
    await createMcpServer(a, mcpServer(open, 'nokeda', BRIDGED));
    const m = await waitFor('Autoscaling=False', async () => {
      const o = await getMcpServer(a, open, 'nokeda');
      return condition(o, 'Autoscaling')?.status === 'False' ? o : undefined;
    });
    expect(condition(m, 'Autoscaling')?.reason).toBe('KedaNotInstalled');
    expect(condition(m, 'Reconciled')?.status).toBe('True');
    expect(await hpa(open, 'nokeda')).toBeUndefined();
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

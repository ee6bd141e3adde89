// spec.autoscaling on bridge metrics with KEDA running (hack/cluster-up.sh starts its operator and metrics
// adapter as host daemons): the operator's HPA gives way to a KEDA ScaledObject on the McpServer, KEDA makes
// its own HPA, status mirrors that one, and removing the target hands back (ADR 0106). An operator without a
// Prometheus address refuses such a target. On the full cluster only: the control-plane tier has no KEDA.
import { AutoscalingV2Api } from '@kubernetes/client-node';
import {
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
} from '../harness.js';

const a = api();
const PROMETHEUS = 'http://prometheus.monitoring.svc.cluster.local:9090';
const hpas = a.kc.makeApiClient(AutoscalingV2Api);
let open = '';
let blocked = '';
let ops: RunningOperator[] = [];

beforeAll(async () => {
  await installCrd(a);
  open = await createNamespace(a, 'op-keda0');
  blocked = await createNamespace(a, 'op-keda1', { noPods: true });
  // The second operator has no Prometheus address: bridge-metric targets are refused there.
  ops = [await startOperator(open, [`--autoscaling-prometheus-url=${PROMETHEUS}`]), await startOperator(blocked)];
}, 60_000);

afterAll(async () => {
  await Promise.all(ops.map((o) => o.stop()));
  await Promise.all([deleteNamespace(a, open), deleteNamespace(a, blocked)]);
});

const hpa = (ns: string, name: string) => readOrUndefined(() => hpas.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name }));
const deploymentReplicas = async (ns: string, name: string) => (await a.apps.readNamespacedDeployment({ namespace: ns, name })).spec?.replicas;

const scale = (ns: string, name: string, replicas: number) => scaleMcpServer(a, ns, name, replicas);

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

import { pino } from 'pino';
import { ANNOTATION_CONFIG_HASH } from '../api/constants.js';
import type { Deployment, KubeObject, Pod, Secret, Service } from '../api/kube-types.js';
import type { McpServerStatus } from '../api/mcp-server.js';
import type { ProbeResult } from '../probe/probe-result.js';
import type { ProbeTarget } from '../probe/probe-target.js';
import type { ServerObserver } from '../probe/prober.js';
import { ApplyMemo } from './apply-memo.js';
import type { AutoscalingEnvironment } from '../builders/autoscaler-choice.js';
import type { HpaView } from '../status/scaling-status.js';
import { Reconciler, type Caches, type ChildRef, type Writer } from './reconciler.js';

/** An in-memory stand-in for the caches and the apiserver: applies store objects and bump versions. */
class FakeWorld implements Caches, Writer {
  mcp: (KubeObject & { spec: unknown; status?: McpServerStatus }) | undefined = {
    apiVersion: 'mcp.sidecar.dev/v1alpha1',
    kind: 'McpServer',
    metadata: { name: 'fs', namespace: 'ns', uid: 'u1', generation: 1, resourceVersion: '1' },
    spec: { command: ['srv'] },
  };
  objects = new Map<string, KubeObject>();
  writes: string[] = [];
  failApply = false;
  private rv = 100;

  mcpServer(): KubeObject | undefined {
    return this.mcp;
  }
  deployment(ns: string, name: string): Deployment | undefined {
    return this.objects.get(`Deployment/${ns}/${name}`);
  }
  service(ns: string, name: string): Service | undefined {
    return this.objects.get(`Service/${ns}/${name}`);
  }
  secret(ns: string, name: string): Secret | undefined {
    return this.objects.get(`Secret/${ns}/${name}`);
  }
  running: Pod[] = [];
  pods(): readonly Pod[] {
    return this.running;
  }
  autoscaler(ns: string, name: string): HpaView | undefined {
    return this.objects.get(`HorizontalPodAutoscaler/${ns}/${name}`);
  }
  scaledObject(ns: string, name: string): KubeObject | undefined {
    return this.objects.get(`ScaledObject/${ns}/${name}`);
  }
  disruptionBudget(ns: string, name: string): KubeObject | undefined {
    return this.objects.get(`PodDisruptionBudget/${ns}/${name}`);
  }
  networkPolicy(ns: string, name: string): KubeObject | undefined {
    return this.objects.get(`NetworkPolicy/${ns}/${name}`);
  }
  claims = new Map<string, string[]>();
  claimAccessModes(_ns: string, name: string): readonly string[] | undefined {
    return this.claims.get(name);
  }
  deleteIfPresent(ref: ChildRef): Promise<void> {
    const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
    this.writes.push(`delete ${key}`);
    this.objects.delete(key);
    return Promise.resolve();
  }
  apply<T extends KubeObject>(obj: T): Promise<T> {
    if (this.failApply) return Promise.reject(new Error('admission webhook denied the request'));
    const key = `${obj.kind ?? ''}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    this.writes.push(`apply ${key}`);
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.objects.set(key, stored);
    return Promise.resolve(stored);
  }
  applyMcpServerStatus(_ns: string, _name: string, status: McpServerStatus): Promise<void> {
    this.writes.push('status');
    if (this.mcp !== undefined) this.mcp = { ...this.mcp, status };
    return Promise.resolve();
  }
  createSecretIfAbsent(secret: Secret): Promise<boolean> {
    const key = `Secret/${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
    this.writes.push(`create ${key}`);
    this.objects.set(key, secret);
    return Promise.resolve(true);
  }
}

/** Stands in for the prober: records what is asked and answers with `result`. */
class FakeObserver implements ServerObserver {
  asked: { key: string; target: ProbeTarget }[] = [];
  forgotten: string[] = [];
  result: ProbeResult | undefined;
  observe(key: string, target: ProbeTarget): ProbeResult | undefined {
    this.asked.push({ key, target });
    return this.result;
  }
  forget(key: string): void {
    this.forgotten.push(key);
  }
}

/** A ready pod of the Deployment's current template, as the ReplicaSet and kubelet would have made it. */
function startPod(world: FakeWorld): void {
  const d = world.objects.get('Deployment/ns/fs') as Deployment;
  const hash = d.spec?.template.metadata?.annotations?.[ANNOTATION_CONFIG_HASH] ?? '';
  world.running = [
    {
      metadata: { name: 'fs-1', namespace: 'ns', annotations: { [ANNOTATION_CONFIG_HASH]: hash } },
      status: { podIP: '10.244.0.7', conditions: [{ type: 'Ready', status: 'True' }] },
    },
  ];
}

const PROMETHEUS = 'http://prometheus.monitoring.svc.cluster.local:9090';

function setup(servers?: ServerObserver, autoscaling: AutoscalingEnvironment = { keda: 'installed', prometheusUrl: PROMETHEUS }) {
  const world = new FakeWorld();
  let keys = 0;
  const reconciler = new Reconciler({
    caches: world,
    writer: world,
    memo: new ApplyMemo(),
    ...(servers === undefined ? {} : { servers }),
    buildOptions: { bridgeImage: 'b:1', bridgeImagePullPolicy: 'IfNotPresent', bridgeMetricsAnnotations: false },
    autoscaling: () => autoscaling,
    randomKey: () => Buffer.alloc(32, ++keys),
    now: () => new Date('2026-01-01T00:00:00Z'),
    log: pino({ level: 'silent' }),
  });
  return { world, reconciler };
}

describe('Reconciler', () => {
  it('when an McpServer is new, then it creates the key Secret, applies Service and Deployment, and writes status', async () => {
    const { world, reconciler } = setup();
    await expect(reconciler.reconcile('ns/fs')).resolves.toBe('success');
    expect(world.writes).toEqual(['create Secret/ns/fs-session-key', 'apply Service/ns/fs', 'apply Deployment/ns/fs', 'status']);
  });

  it('when nothing changed, then a second reconcile writes nothing', async () => {
    const { world, reconciler } = setup();
    await reconciler.reconcile('ns/fs');
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual([]);
  });

  it('when someone else changed a child, then we apply it again (and only it)', async () => {
    const { world, reconciler } = setup();
    await reconciler.reconcile('ns/fs');
    world.writes = [];
    const d = world.objects.get('Deployment/ns/fs');
    world.objects.set('Deployment/ns/fs', { ...d, metadata: { ...d?.metadata, resourceVersion: '999' } });
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual(['apply Deployment/ns/fs']);
  });

  it('when a child is deleted, then it is applied again', async () => {
    const { world, reconciler } = setup();
    await reconciler.reconcile('ns/fs');
    world.writes = [];
    world.objects.delete('Service/ns/fs');
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual(['apply Service/ns/fs']);
  });

  it('when the key Secret exists, then it is never recreated (the key is not rotated)', async () => {
    const { world, reconciler } = setup();
    await reconciler.reconcile('ns/fs');
    const key = (world.objects.get('Secret/ns/fs-session-key') as Secret).data;
    if (world.mcp !== undefined) world.mcp = { ...world.mcp, spec: { command: ['srv', '--v2'] }, metadata: { ...world.mcp.metadata, generation: 2 } };
    await reconciler.reconcile('ns/fs');
    expect(world.writes.filter((w) => w.startsWith('create'))).toHaveLength(1);
    expect((world.objects.get('Secret/ns/fs-session-key') as Secret).data).toEqual(key);
  });

  it('when autoscaling is turned on and off, then the HPA and PDB are applied, then deleted, and replicas stay within bounds', async () => {
    const { world, reconciler } = setup();
    const respec = (spec: Record<string, unknown>, generation: number): void => {
      if (world.mcp !== undefined) world.mcp = { ...world.mcp, spec, metadata: { ...world.mcp.metadata, generation } };
    };
    respec({ command: ['srv'], replicas: 1, autoscaling: { minReplicas: 2, maxReplicas: 4, targets: { cpuUtilizationPercent: 50 } } }, 2);
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual(expect.arrayContaining(['apply HorizontalPodAutoscaler/ns/fs', 'apply PodDisruptionBudget/ns/fs']));
    expect((world.objects.get('Deployment/ns/fs') as Deployment).spec?.replicas).toBe(2);
    // The HPA wrote 3 through the scale subresource: the Deployment follows.
    respec({ command: ['srv'], replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 4, targets: { cpuUtilizationPercent: 50 } } }, 3);
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual(['apply Deployment/ns/fs', 'status']);
    expect((world.objects.get('Deployment/ns/fs') as Deployment).spec?.replicas).toBe(3);
    respec({ command: ['srv'], replicas: 1 }, 4);
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual(expect.arrayContaining(['delete HorizontalPodAutoscaler/ns/fs', 'delete PodDisruptionBudget/ns/fs']));
    expect((world.objects.get('Deployment/ns/fs') as Deployment).spec?.replicas).toBe(1);
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual([]);
  });

  it('when a bridge-metric target is added and removed, then the HPA hands over to a ScaledObject and back, and status reads KEDA\'s HPA', async () => {
    const { world, reconciler } = setup();
    const respec = (targets: Record<string, unknown>, replicas: number, generation: number): void => {
      if (world.mcp !== undefined) world.mcp = { ...world.mcp, spec: { command: ['srv'], replicas, autoscaling: { minReplicas: 1, maxReplicas: 4, targets } }, metadata: { ...world.mcp.metadata, generation } };
    };
    respec({ cpuUtilizationPercent: 50 }, 1, 2);
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toContain('apply HorizontalPodAutoscaler/ns/fs');
    // The HPA scaled to 2; then a bridge-metric target is added.
    respec({ cpuUtilizationPercent: 50, inFlightRequestsPerPod: 4 }, 2, 3);
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual(expect.arrayContaining(['delete HorizontalPodAutoscaler/ns/fs', 'apply ScaledObject/ns/fs']));
    expect((world.objects.get('Deployment/ns/fs') as Deployment).spec?.replicas).toBe(2);
    expect(world.mcp?.status?.conditions?.find((c) => c.type === 'Autoscaling')).toMatchObject({ status: 'Unknown', reason: 'AutoscalerPending' });
    // KEDA created its HPA (a label of ours, no owner of ours) and it reports: status reads it.
    world.objects.set('HorizontalPodAutoscaler/ns/keda-hpa-fs', {
      metadata: { name: 'keda-hpa-fs', namespace: 'ns' },
      status: { currentReplicas: 2, desiredReplicas: 3, conditions: [{ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'ok' }] },
    } as KubeObject);
    await reconciler.reconcile('ns/fs');
    expect(world.mcp?.status?.autoscaling).toEqual({ currentReplicas: 2, desiredReplicas: 3 });
    expect(world.mcp?.status?.conditions?.find((c) => c.type === 'Autoscaling')).toMatchObject({ status: 'True' });
    // Back to CPU only: the ScaledObject goes (KEDA's HPA with it), the operator's HPA returns.
    respec({ cpuUtilizationPercent: 50 }, 3, 4);
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual(expect.arrayContaining(['apply HorizontalPodAutoscaler/ns/fs', 'delete ScaledObject/ns/fs']));
    expect((world.objects.get('Deployment/ns/fs') as Deployment).spec?.replicas).toBe(3);
  });

  it.each([
    [{ keda: 'absent', prometheusUrl: PROMETHEUS }, 'KedaNotInstalled'],
    [{ keda: 'forbidden', prometheusUrl: PROMETHEUS }, 'KedaForbidden'],
    [{ keda: 'installed', prometheusUrl: '' }, 'PrometheusNotConfigured'],
  ] as [AutoscalingEnvironment, string][])('when bridge-metric targets are set and the cluster offers %j, then no autoscaler is applied and Autoscaling=False says %s', async (env, reason) => {
    const { world, reconciler } = setup(undefined, env);
    if (world.mcp !== undefined) world.mcp = { ...world.mcp, spec: { command: ['srv'], autoscaling: { maxReplicas: 4, targets: { sessionsPerPod: 10 } } } };
    await expect(reconciler.reconcile('ns/fs')).resolves.toBe('success');
    expect(world.writes.filter((w) => w.includes('HorizontalPodAutoscaler') || w.includes('ScaledObject'))).toEqual([]);
    expect(world.mcp?.status?.conditions?.find((c) => c.type === 'Autoscaling')).toMatchObject({ status: 'False', reason });
    expect(world.mcp?.status?.conditions?.find((c) => c.type === 'Reconciled')).toMatchObject({ status: 'True' });
  });

  it('when spec.network is set and removed, then the NetworkPolicy is applied once, then deleted', async () => {
    const { world, reconciler } = setup();
    const respec = (spec: Record<string, unknown>, generation: number): void => {
      if (world.mcp !== undefined) world.mcp = { ...world.mcp, spec, metadata: { ...world.mcp.metadata, generation } };
    };
    respec({ command: ['srv'], network: { ingress: { from: [] } } }, 2);
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toContain('apply NetworkPolicy/ns/fs');
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual([]);
    respec({ command: ['srv'], network: {} }, 3);
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toContain('delete NetworkPolicy/ns/fs');
    expect(world.objects.has('NetworkPolicy/ns/fs')).toBe(false);
  });

  it('when sessions are shared and then per-session again, then the peer Service is applied, then deleted', async () => {
    const { world, reconciler } = setup();
    const respec = (spec: Record<string, unknown>, generation: number): void => {
      if (world.mcp !== undefined) world.mcp = { ...world.mcp, spec, metadata: { ...world.mcp.metadata, generation } };
    };
    respec({ command: ['srv'], sessions: { mode: 'shared' } }, 2);
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toContain('apply Service/ns/fs-peers');
    expect(world.service('ns', 'fs-peers')?.spec?.clusterIP).toBe('None');
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual([]);
    respec({ command: ['srv'], sessions: { mode: 'perSession' } }, 3);
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toContain('delete Service/ns/fs-peers');
    expect(world.service('ns', 'fs-peers')).toBeUndefined();
  });

  it("when the peer Service's name is another McpServer's Service, then that Service is left alone, never applied nor deleted", async () => {
    const { world, reconciler } = setup();
    const other = { apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', name: 'fs-peers', uid: 'u2', controller: true };
    world.objects.set('Service/ns/fs-peers', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fs-peers', namespace: 'ns', resourceVersion: '7', ownerReferences: [other] } });
    for (const mode of ['shared', 'perSession']) {
      if (world.mcp !== undefined) world.mcp = { ...world.mcp, spec: { command: ['srv'], sessions: { mode } } };
      await reconciler.reconcile('ns/fs');
      expect(world.writes.filter((w) => w.includes('Service/ns/fs-peers'))).toEqual([]);
    }
    expect(world.service('ns', 'fs-peers')?.metadata?.ownerReferences).toEqual([other]);
  });

  it('when the server writes to a ReadWriteOnce claim and asks for 3 pods, then the Deployment gets 1, Recreate, and ScalingLimited=True', async () => {
    const { world, reconciler } = setup();
    world.claims.set('memory-data', ['ReadWriteOnce']);
    if (world.mcp !== undefined) {
      world.mcp = {
        ...world.mcp,
        spec: {
          command: ['srv'],
          replicas: 3,
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'memory-data' } }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      };
    }
    await reconciler.reconcile('ns/fs');
    const d = world.objects.get('Deployment/ns/fs') as Deployment;
    expect(d.spec?.replicas).toBe(1);
    expect(d.spec?.strategy).toEqual({ type: 'Recreate' });
    expect(world.writes).not.toContain('apply PodDisruptionBudget/ns/fs');
    expect(world.mcp?.status?.conditions?.find((c) => c.type === 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'ReadWriteOnceClaim' });
  });

  it('when applying fails, then Reconciled=False is written and the error propagates (the queue backs off)', async () => {
    const { world, reconciler } = setup();
    world.failApply = true;
    await expect(reconciler.reconcile('ns/fs')).rejects.toThrow('admission webhook denied the request');
    expect(world.mcp?.status?.conditions?.find((c) => c.type === 'Reconciled')).toMatchObject({
      status: 'False',
      reason: 'ApplyFailed',
      message: 'admission webhook denied the request',
    });
  });

  it('when the McpServer is gone, then nothing is written', async () => {
    const { world, reconciler } = setup();
    world.mcp = undefined;
    await expect(reconciler.reconcile('ns/fs')).resolves.toBe('deleted');
    expect(world.writes).toEqual([]);
  });

  it('when the spec does not parse, then InvalidSpec is reported and nothing is applied', async () => {
    const { world, reconciler } = setup();
    if (world.mcp !== undefined) world.mcp = { ...world.mcp, spec: { command: 'not-a-list' } };
    await expect(reconciler.reconcile('ns/fs')).resolves.toBe('invalid');
    expect(world.writes).toEqual(['status']);
    expect(world.mcp?.status?.conditions?.[0]).toMatchObject({ type: 'Ready', reason: 'InvalidSpec' });
  });

  it('when probing is on but no pod is ready yet, then nothing is probed and ServerVerified waits', async () => {
    const observer = new FakeObserver();
    const { world, reconciler } = setup(observer);
    await reconciler.reconcile('ns/fs');
    expect(observer.asked).toEqual([]);
    expect(world.mcp?.status?.conditions?.find((c) => c.type === 'ServerVerified')).toMatchObject({ status: 'Unknown', reason: 'AwaitingAvailability' });
  });

  it('when a pod of the current configuration is ready, then it is probed at its IP without waiting, and the result becomes status.server', async () => {
    const observer = new FakeObserver();
    const { world, reconciler } = setup(observer);
    await reconciler.reconcile('ns/fs');
    startPod(world);
    await reconciler.reconcile('ns/fs');
    expect(observer.asked).toEqual([{ key: 'ns/fs', target: expect.objectContaining({ url: 'http://10.244.0.7:8080/mcp' }) as unknown }]);
    expect(world.mcp?.status?.conditions?.find((c) => c.type === 'ServerVerified')).toMatchObject({ status: 'Unknown', reason: 'Probing' });

    observer.result = { ok: true, method: 'discover', name: 'srv', version: '1.0.0', protocolVersions: ['2026-07-28', '2025-11-25'] };
    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual(['status']);
    expect(world.mcp?.status?.server).toEqual({ name: 'srv', version: '1.0.0', protocolVersions: ['2026-07-28', '2025-11-25'], eras: ['modern', 'legacy'] });
    expect(world.mcp?.status?.conditions?.find((c) => c.type === 'ServerVerified')).toMatchObject({ status: 'True', reason: 'Discovered' });

    world.writes = [];
    await reconciler.reconcile('ns/fs');
    expect(world.writes).toEqual([]);
  });

  it('when the McpServer is gone, then the prober forgets it', async () => {
    const observer = new FakeObserver();
    const { world, reconciler } = setup(observer);
    world.mcp = undefined;
    await reconciler.reconcile('ns/fs');
    expect(observer.forgotten).toEqual(['ns/fs']);
  });
});

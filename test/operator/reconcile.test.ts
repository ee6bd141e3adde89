// One operator (in-process, port 0) in a fresh namespace, against the real apiserver + controller-manager.
import { execFileSync } from 'node:child_process';
import { setHeaderOptions, PatchStrategy } from '@kubernetes/client-node';
import {
  api,
  codeOf,
  condition,
  counterValue,
  createMcpServer,
  createNamespace,
  deleteNamespace,
  getMcpServer,
  installCrd,
  mcpServer,
  patchMcpServerSpec,
  startOperator,
  versionsOf,
  waitFor,
  waitSettled,
  waitStable,
  type RunningOperator,
} from './harness.js';

const a = api();
let ns = '';
let op: RunningOperator;
const HASH = 'mcp.sidecar.dev/config-hash';
const LABELS = {
  'app.kubernetes.io/name': 'mcp-server',
  'app.kubernetes.io/instance': 'everything',
  'app.kubernetes.io/managed-by': 'mcp-sidecar-operator',
  'mcp.sidecar.dev/server': 'everything',
};

beforeAll(async () => {
  await installCrd(a);
  ns = await createNamespace(a, 'op-rec', { noPods: true });
  op = await startOperator(ns);
}, 60_000);

afterAll(async () => {
  await op.stop();
  await deleteNamespace(a, ns);
});

const deployment = (name = 'everything') => a.apps.readNamespacedDeployment({ namespace: ns, name });
const templateHash = async (): Promise<string | undefined> => (await deployment()).spec?.template.metadata?.annotations?.[HASH];

describe('reconcile against a real apiserver', () => {
  it('when an McpServer is created, then exactly its Deployment, Service and key Secret appear, owned and labelled', async () => {
    const created = await createMcpServer(a, mcpServer(ns, 'everything', { command: ['npx', '-y', '@modelcontextprotocol/server-everything'] }));
    const uid = created.metadata?.uid;
    const d = await waitFor('the Deployment', () => deployment());
    const s = await waitFor('the Service', () => a.core.readNamespacedService({ namespace: ns, name: 'everything' }));
    const k = await waitFor('the key Secret', () => a.core.readNamespacedSecret({ namespace: ns, name: 'everything-session-key' }));
    for (const child of [d, s, k]) {
      expect(child.metadata?.labels).toEqual(LABELS);
      expect(child.metadata?.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'McpServer', name: 'everything', uid, controller: true, blockOwnerDeletion: true }),
      ]);
    }
    expect(Buffer.from(k.data?.key ?? '', 'base64')).toHaveLength(32);
    const bridge = d.spec?.template.spec?.containers[0];
    expect(bridge?.name).toBe('bridge');
    expect(bridge?.args?.slice(-4)).toEqual(['--', 'npx', '-y', '@modelcontextprotocol/server-everything']);
    expect(s.spec?.ports?.[0]).toMatchObject({ name: 'http', port: 8080 });

    const managed = 'app.kubernetes.io/managed-by=mcp-sidecar-operator';
    const counts = await Promise.all([
      a.apps.listNamespacedDeployment({ namespace: ns, labelSelector: managed }),
      a.core.listNamespacedService({ namespace: ns, labelSelector: managed }),
      a.core.listNamespacedSecret({ namespace: ns, labelSelector: managed }),
    ]);
    expect(counts.map((l) => l.items.length)).toEqual([1, 1, 1]);

    const mcp = await waitFor('Reconciled=True', async () => {
      const m = await getMcpServer(a, ns, 'everything');
      return condition(m, 'Reconciled')?.status === 'True' ? m : undefined;
    });
    expect(mcp.status).toMatchObject({
      observedGeneration: 1,
      selector: 'app.kubernetes.io/instance=everything,app.kubernetes.io/name=mcp-server',
      url: `http://everything.${ns}.svc.cluster.local:8080/mcp`,
      sseUrl: `http://everything.${ns}.svc.cluster.local:8080/sse`,
    });
  });

  it('when nothing changed, then another reconcile makes no writes (resourceVersions unchanged)', async () => {
    const [before] = await waitStable(a, op.operator, ns, ['everything']);
    const writes = await counterValue(op.operator, 'mcp_operator_writes_total');
    const done = await counterValue(op.operator, 'mcp_operator_reconciles_total');
    op.operator.resync();
    await waitSettled(op.operator, done);
    expect(await versionsOf(a, ns, 'everything')).toEqual(before);
    expect(await counterValue(op.operator, 'mcp_operator_writes_total')).toBe(writes);
  });

  it('when the spec changes, then the Deployment is updated and the pod template rolls', async () => {
    const hashBefore = await templateHash();
    await patchMcpServerSpec(a, ns, 'everything', { args: ['--verbose'], sessions: { mode: 'shared' } });
    const d = await waitFor('the new args', async () => {
      const dep = await deployment();
      return dep.spec?.template.spec?.containers[0]?.args?.includes('--verbose') === true ? dep : undefined;
    });
    expect(d.spec?.template.spec?.containers[0]?.args).toEqual(expect.arrayContaining(['--session-mode', 'shared']));
    expect(d.spec?.template.metadata?.annotations?.[HASH]).not.toBe(hashBefore);
    await waitFor('observedGeneration 2', async () => ((await getMcpServer(a, ns, 'everything')).status?.observedGeneration === 2 ? true : undefined));
  });

  it('when only replicas change, then the template does not roll', async () => {
    const hashBefore = await templateHash();
    await patchMcpServerSpec(a, ns, 'everything', { replicas: 2 });
    await waitFor('replicas 2', async () => ((await deployment()).spec?.replicas === 2 ? true : undefined));
    expect(await templateHash()).toBe(hashBefore);
  });

  it('when a child is deleted, then it comes back', async () => {
    const old = await a.core.readNamespacedService({ namespace: ns, name: 'everything' });
    await a.core.deleteNamespacedService({ namespace: ns, name: 'everything' });
    const back = await waitFor('the Service to come back', async () => {
      try {
        const s = await a.core.readNamespacedService({ namespace: ns, name: 'everything' });
        return s.metadata?.uid !== old.metadata?.uid ? s : undefined;
      } catch (err) {
        if (codeOf(err) === 404) return undefined;
        throw err;
      }
    });
    expect(back.metadata?.labels).toEqual(LABELS);
  });

  it('when someone edits fields we own, then they are reverted, and fields we do not own are left alone', async () => {
    const hash = await templateHash();
    await a.apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: 'everything',
        fieldManager: 'someone-else',
        body: {
          metadata: { annotations: { 'example.com/note': 'keep me' } },
          spec: { replicas: 7, template: { metadata: { annotations: { [HASH]: 'tampered' } } } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const d = await waitFor('the edit to be reverted', async () => {
      const dep = await deployment();
      return dep.spec?.replicas === 2 && dep.spec.template.metadata?.annotations?.[HASH] === hash ? dep : undefined;
    });
    expect(d.metadata?.annotations?.['example.com/note']).toBe('keep me');
  });

  it('when the scale subresource is patched (kubectl scale / HPA), then the Deployment follows', async () => {
    await a.custom.patchNamespacedCustomObjectScale(
      { group: 'mcp.sidecar.dev', version: 'v1alpha1', namespace: ns, plural: 'mcpservers', name: 'everything', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor('Deployment replicas 3', async () => ((await deployment()).spec?.replicas === 3 ? true : undefined));
    const scale = (await a.custom.getNamespacedCustomObjectScale({
      group: 'mcp.sidecar.dev',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'mcpservers',
      name: 'everything',
    })) as { spec?: { replicas?: number }; status?: { selector?: string } };
    expect(scale.spec?.replicas).toBe(3);
    expect(scale.status?.selector).toBe('app.kubernetes.io/instance=everything,app.kubernetes.io/name=mcp-server');
  });

  it('when kubectl scale is used, then the Deployment follows', async () => {
    execFileSync('kubectl', ['scale', 'mcp', 'everything', '--replicas=1', '-n', ns], { env: process.env, stdio: 'pipe' });
    await waitFor('Deployment replicas 1', async () => ((await deployment()).spec?.replicas === 1 ? true : undefined));
  });

  it('when the operator restarts, then it converges with no writes', async () => {
    await createMcpServer(a, mcpServer(ns, 'memory', { command: ['npx', '-y', '@modelcontextprotocol/server-memory'] }));
    await waitFor('memory Reconciled', async () => (condition(await getMcpServer(a, ns, 'memory'), 'Reconciled')?.status === 'True' ? true : undefined));
    await waitStable(a, op.operator, ns, ['everything', 'memory']);
    await op.stop();
    const before = [await versionsOf(a, ns, 'everything'), await versionsOf(a, ns, 'memory')];
    op = await startOperator(ns);
    await waitSettled(op.operator, 0, 2);
    expect([await versionsOf(a, ns, 'everything'), await versionsOf(a, ns, 'memory')]).toEqual(before);
    // A fresh process has no memo of its own writes, so it re-applies once; the apiserver finds nothing to change.
    expect(await counterValue(op.operator, 'mcp_operator_writes_total', { verb: 'status' })).toBe(0);
    expect(await counterValue(op.operator, 'mcp_operator_writes_total', { verb: 'create' })).toBe(0);
  });

  it('when the McpServer is deleted, then garbage collection removes its children', async () => {
    await a.custom.deleteNamespacedCustomObject({ group: 'mcp.sidecar.dev', version: 'v1alpha1', namespace: ns, plural: 'mcpservers', name: 'everything' });
    const gone = async (read: () => Promise<unknown>): Promise<boolean | undefined> => {
      try {
        await read();
        return undefined;
      } catch (err) {
        if (codeOf(err) === 404) return true;
        throw err;
      }
    };
    await waitFor('the Deployment to be collected', () => gone(() => deployment()), 60_000);
    await waitFor('the Service to be collected', () => gone(() => a.core.readNamespacedService({ namespace: ns, name: 'everything' })), 60_000);
    await waitFor('the Secret to be collected', () => gone(() => a.core.readNamespacedSecret({ namespace: ns, name: 'everything-session-key' })), 60_000);
    // A controller-manager that just started (e.g. a cluster brought back from stale state) needs a
    // while before its garbage collector has synced: allow the three waits their full deadlines.
  }, 200_000);
});

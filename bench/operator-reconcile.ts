/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- plain JSON through client-node's class-typed signatures, as the library itself does. */
// Operator reconcile benchmark against the real apiserver (KUBECONFIG from the environment):
//   1. create N McpServers (default 1000) in a fresh namespace (a pods quota of 0 keeps the kubelet out:
//      this measures the operator and the control plane, not container starts);
//   2. time until every one has its Deployment, Service, key Secret and a status for generation 1;
//   3. stay idle for IDLE seconds (default 60, with a resync every 30 s inside it) and count the
//      operator's write requests and resourceVersion changes, and its CPU time.
// The operator runs as a child process (node <compiled>/operator/main.js) so its CPU is its own.
// Run from the repo root: bash bench/operator-reconcile.sh   (env: N, IDLE, CONCURRENCY, WORKERS)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  loadAllYaml,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 1000);
const IDLE = Number(process.env.IDLE ?? 60);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const WORKERS = Number(process.env.WORKERS ?? 8);
const G = { group: 'mcp.sidecar.dev', version: 'v1alpha1', plural: 'mcpservers' };

const kc = new KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const objects = KubernetesObjectApi.makeApiClient(kc);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => {
        if (addr !== null && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100/s)
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) {
        const item = items[i++] as T;
        await fn(item);
      }
    }),
  );
}

interface Versions {
  mcp: Map<string, string>;
  deployments: Map<string, string>;
  services: Map<string, string>;
  secrets: Map<string, string>;
}

async function snapshot(ns: string): Promise<Versions> {
  const byName = (items: KubernetesObject[]) => new Map(items.map((o) => [o.metadata?.name ?? '', o.metadata?.resourceVersion ?? '']));
  const mcp = (await custom.listNamespacedCustomObject({ ...G, namespace: ns })) as { items: KubernetesObject[] };
  return {
    mcp: byName(mcp.items),
    deployments: byName((await apps.listNamespacedDeployment({ namespace: ns })).items),
    services: byName((await core.listNamespacedService({ namespace: ns })).items),
    secrets: byName((await core.listNamespacedSecret({ namespace: ns })).items),
  };
}

const changed = (a: Map<string, string>, b: Map<string, string>) => [...b].filter(([k, v]) => a.get(k) !== v).length;

async function main(): Promise<void> {
  for (const obj of loadAllYaml(readFileSync(join(process.cwd(), 'crds/mcp.sidecar.dev_mcpservers.yaml'), 'utf8')) as KubernetesObject[]) {
    await objects.patch(obj, undefined, undefined, 'mcp-operator-bench', true, PatchStrategy.ServerSideApply);
  }
  const ns = `op-bench-${Date.now().toString(36)}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedResourceQuota({ namespace: ns, body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } } });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(here, '../operator/main.js'), '--namespace', ns, '--port', String(port), '--bind-address', '127.0.0.1', '--leader-elect=false',
      '--resync-seconds', '30', '--workers', String(WORKERS), '--log-level', 'warn'],
    { stdio: ['ignore', 'inherit', 'inherit'], env: process.env },
  );
  const pid = child.pid ?? 0;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
      } catch {
        if (i > 300) throw new Error('operator never became ready');
      }
      await sleep(100);
    }
    const cpu0 = cpuSecondsOf(pid);
    log(`operator pid ${pid} ready; creating ${N} McpServers in ${ns} (concurrency ${CONCURRENCY}, workers ${WORKERS})`);
    const t0 = performance.now();
    const names = Array.from({ length: N }, (_, i) => `s${String(i).padStart(4, '0')}`);
    await pool(names, CONCURRENCY, async (name) => {
      await custom.createNamespacedCustomObject({
        ...G,
        namespace: ns,
        body: { apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', metadata: { name }, spec: { command: ['npx', '-y', '@modelcontextprotocol/server-memory'] } },
      });
    });
    const tCreated = performance.now();
    log(`created in ${((tCreated - t0) / 1000).toFixed(1)} s; waiting for children and statuses`);
    let converged = -1;
    for (;;) {
      const [mcp, deps, svcs, secrets] = await Promise.all([
        custom.listNamespacedCustomObject({ ...G, namespace: ns }) as Promise<{ items: { status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] } }[] }>,
        apps.listNamespacedDeployment({ namespace: ns }),
        core.listNamespacedService({ namespace: ns }),
        core.listNamespacedSecret({ namespace: ns, labelSelector: 'app.kubernetes.io/managed-by=mcp-sidecar-operator' }),
      ]);
      const withStatus = mcp.items.filter((m) => m.status?.observedGeneration === 1 && m.status.conditions?.some((c) => c.type === 'Reconciled' && c.status === 'True')).length;
      if (deps.items.length === N && svcs.items.length === N && secrets.items.length === N && withStatus === N) {
        converged = performance.now();
        break;
      }
      if (performance.now() - t0 > 600_000) throw new Error(`not converged after 600 s: ${deps.items.length} deployments, ${svcs.items.length} services, ${secrets.items.length} secrets, ${withStatus} statuses`);
      await sleep(250);
    }
    const cpu1 = cpuSecondsOf(pid);
    const writes1 = await metric(port, 'mcp_operator_writes_total');
    log(`converged: ${((converged - t0) / 1000).toFixed(1)} s after the first create; operator CPU ${(cpu1 - cpu0).toFixed(1)} s, ${writes1} write requests`);

    // Let the controller-manager finish its own first pass (ReplicaSets, Deployment status), then go idle.
    let before = await snapshot(ns);
    for (let quiet = 0; quiet < 3; ) {
      await sleep(2000);
      const now = await snapshot(ns);
      const moved = changed(before.mcp, now.mcp) + changed(before.deployments, now.deployments);
      quiet = moved === 0 ? quiet + 1 : 0;
      before = now;
    }
    const idleWrites0 = await metric(port, 'mcp_operator_writes_total');
    const reconciles0 = await metric(port, 'mcp_operator_reconciles_total');
    const cpuIdle0 = cpuSecondsOf(pid);
    log(`idle for ${IDLE} s (resync every 30 s)`);
    await sleep(IDLE * 1000);
    const after = await snapshot(ns);
    const result = {
      n: N,
      createSeconds: +((tCreated - t0) / 1000).toFixed(1),
      convergeSeconds: +((converged - t0) / 1000).toFixed(1),
      operatorCpuSecondsToConverge: +(cpu1 - cpu0).toFixed(1),
      writeRequestsToConverge: writes1,
      idleSeconds: IDLE,
      idleReconciles: (await metric(port, 'mcp_operator_reconciles_total')) - reconciles0,
      idleWriteRequests: (await metric(port, 'mcp_operator_writes_total')) - idleWrites0,
      idleResourceVersionChanges: {
        mcpServers: changed(before.mcp, after.mcp),
        deployments: changed(before.deployments, after.deployments),
        services: changed(before.services, after.services),
        secrets: changed(before.secrets, after.secrets),
      },
      idleOperatorCpuSeconds: +(cpuSecondsOf(pid) - cpuIdle0).toFixed(2),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    log(`deleting namespace ${ns}`);
    await core.deleteNamespace({ name: ns });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

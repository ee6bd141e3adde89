/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- plain JSON through client-node's class-typed signatures, as the library itself does. */
// Operator reconcile benchmark against a real apiserver: by default a private control plane (etcd,
// kube-apiserver, kube-controller-manager: test/lib/control-plane/, the operator tests' harness), so no
// other operator acts on the objects and no other work shares the apiserver; USE_KUBECONFIG=1 uses the
// cluster in KUBECONFIG instead.
//   1. create N McpServers (default 1000) in a fresh namespace (a pods quota of 0 keeps pods out: this
//      measures the operator and the control plane, not container starts);
//   2. time until every one has its Deployment, Service, key Secret and a status for generation 1;
//   3. stay idle for IDLE seconds (default 60, with a resync every 30 s inside it) and count the
//      operator's write requests and resourceVersion changes, and its CPU time;
//   4. the ceiling (bench/operator-ceiling.ts): with the operator stopped, a raw client writes the same
//      objects for N more McpServers in another namespace of the same apiserver; the operator's time is
//      printed as a ratio to it.
// The operator runs as a child process (node <compiled>/operator/main.js) so its CPU is its own.
// Run from the repo root: bash bench/operator-reconcile.sh   (env: N, IDLE, CONCURRENCY, WORKERS, USE_KUBECONFIG)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseConfig } from '../operator/config.js';
import { startControlPlane, type ControlPlane } from '../test/lib/control-plane/control-plane.js';
import { installCrds } from '../test/lib/control-plane/crds.js';
import { freePort } from '../test/lib/control-plane/free-port.js';
import { runCeiling } from './operator-ceiling.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 1000);
const IDLE = Number(process.env.IDLE ?? 60);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const WORKERS = Number(process.env.WORKERS ?? 8);
const USE_KUBECONFIG = process.env.USE_KUBECONFIG === '1';
const G = { group: 'mcp.sidecar.dev', version: 'v1alpha1', plural: 'mcpservers' };
const SPEC = { command: ['npx', '-y', '@modelcontextprotocol/server-memory'] };
const CRD_FILE = join(process.cwd(), 'crds/mcp.sidecar.dev_mcpservers.yaml');
/**
 * The controller-manager's part of the write count: the Deployment controller reports on every
 * Deployment (status the operator mirrors: a second status write), ReplicaSets and the pods quota are
 * what a Deployment meets in a real namespace; the garbage collector and namespace controller clean up.
 */
const CONTROLLERS = ['deployment-controller', 'replicaset-controller', 'resourcequota-controller', 'serviceaccount-controller', 'garbage-collector-controller', 'namespace-controller'];

const kc = new KubeConfig();
let core: CoreV1Api;
let apps: AppsV1Api;
let custom: CustomObjectsApi;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

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

async function freshNamespace(prefix: string): Promise<string> {
  const ns = `${prefix}-${Date.now().toString(36)}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedResourceQuota({ namespace: ns, body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } } });
  return ns;
}

async function main(): Promise<void> {
  let cp: ControlPlane | undefined;
  if (USE_KUBECONFIG) {
    kc.loadFromDefault();
  } else {
    const t = performance.now();
    cp = await startControlPlane({ repoRoot: process.cwd(), crds: [CRD_FILE], controllers: CONTROLLERS });
    kc.loadFromFile(cp.kubeconfig);
    log(`private control plane up in ${((performance.now() - t) / 1000).toFixed(1)} s (${cp.server})`);
  }
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  // This is a main: Ctrl-C or a timeout's SIGTERM still stops the control plane (the processes it
  // started would outlive us otherwise).
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    void (cp?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await bench(cp);
  } finally {
    await cp?.stop();
  }
}

async function bench(cp: ControlPlane | undefined): Promise<void> {
  await installCrds(kc, [CRD_FILE], 'mcp-operator-bench');
  const ns = await freshNamespace('op-bench');
  const port = await freePort();
  const operatorArgs = ['--namespace', ns, '--port', String(port), '--bind-address', '127.0.0.1', '--leader-elect=false',
    '--resync-seconds', '30', '--workers', String(WORKERS), '--log-level', 'warn'];
  const env = cp === undefined ? process.env : { ...process.env, KUBECONFIG: cp.kubeconfig };
  const child = spawn(process.execPath, [join(here, '../operator/main.js'), ...operatorArgs], { stdio: ['ignore', 'inherit', 'inherit'], env });
  const pid = child.pid ?? 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stopOperator = async (): Promise<void> => {
    if (alive()) child.kill('SIGTERM');
    await exited;
  };
  try {
    for (let i = 0; ; i++) {
      if (!alive()) throw new Error(`the operator exited (code ${String(child.exitCode)}) before it was ready`);
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
        body: { apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', metadata: { name }, spec: SPEC },
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
    await stopOperator();

    // The ceiling: the same objects, built by the same builders with the operator's options, written by a
    // raw client to the same apiserver, the operator stopped.
    const config = parseConfig(operatorArgs, process.env, { identity: 'bench' });
    const buildOptions = {
      bridgeImage: config.bridgeImage,
      bridgeImagePullPolicy: config.bridgeImagePullPolicy,
      bridgeMetricsAnnotations: config.bridgeMetricsAnnotations,
      bridgeOtlpEndpoint: config.bridgeOtlpEndpoint,
    };
    const ceilingNs = await freshNamespace('op-ceiling');
    log(`ceiling: a raw client writes the same objects for ${N} McpServers in ${ceilingNs} (concurrency ${CONCURRENCY})`);
    const ceiling = await runCeiling(kc, ceilingNs, names, SPEC, buildOptions, CONCURRENCY);
    const full = {
      ...result,
      writesPerMcpServer: +(writes1 / N).toFixed(2),
      ceiling: { seconds: +ceiling.seconds.toFixed(1), writeRequests: ceiling.writes, writesPerMcpServer: ceiling.writes / N, concurrency: CONCURRENCY },
      operatorToCeiling: +((converged - t0) / 1000 / ceiling.seconds).toFixed(2),
    };
    process.stdout.write(`${JSON.stringify(full, null, 2)}\n`);
    log(
      `operator ${full.convergeSeconds} s vs raw client ${full.ceiling.seconds} s for ${N} McpServers: ${full.operatorToCeiling}x the ceiling; ` +
        `${full.writesPerMcpServer} writes per McpServer (ceiling ${full.ceiling.writesPerMcpServer})`,
    );
    if (cp === undefined) await core.deleteNamespace({ name: ceilingNs });
  } finally {
    await stopOperator();
    // A private control plane goes away whole; on a shared cluster, remove what we made.
    if (cp === undefined) {
      log(`deleting namespace ${ns}`);
      await core.deleteNamespace({ name: ns });
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

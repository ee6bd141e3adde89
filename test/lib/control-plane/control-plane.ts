// A private Kubernetes control plane for tests and benchmarks, envtest style: etcd + kube-apiserver
// (+ kube-controller-manager with the controllers asked for) from the binaries hack/ builds, in a fresh
// temporary directory, on loopback ports picked by binding port 0, with credentials made for the run,
// and removed by stop(). No node components: nothing runs pods, so tests that need a pod to run (kubelet,
// containerd, CNI, Services that route) stay on the full cluster (test/operator/cluster/).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { controlPlaneBinaries } from './binaries.js';
import { installCrds } from './crds.js';
import { freePort } from './free-port.js';
import { makePki, type Pki } from './pki.js';
import { Component } from './process.js';

export interface ControlPlaneOptions {
  /** The repository (hack/lib/common.sh says where the binaries are). */
  repoRoot: string;
  /** CRD files installed before the controller-manager starts. */
  crds?: readonly string[];
  /** kube-controller-manager's --controllers; empty or absent: no controller-manager. */
  controllers?: readonly string[];
  /** Extra kube-apiserver flags. */
  apiserverArgs?: readonly string[];
  /** Extra kube-controller-manager flags. */
  controllerManagerArgs?: readonly string[];
  /** Start-up deadline per component (default 60 s: a loaded 2-core machine). */
  timeoutMs?: number;
}

export interface ControlPlane {
  /** The run's directory: pki/, etcd/, logs/, bin/ (kubectl), kubeconfig. */
  dir: string;
  /** An admin (system:masters) kubeconfig file. */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** A directory holding `kubectl` of the same build, for tests that run it. */
  binDir: string;
  /** Stops the components (controller-manager, apiserver, etcd) and removes the directory. */
  stop(): Promise<void>;
}

/** Starts the control plane; on failure stops what was started and throws (the log tail in the message). */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const bins = controlPlaneBinaries(opts.repoRoot);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'mcp-control-plane-'));
  const components: Component[] = [];
  const stop = async (): Promise<void> => {
    for (const c of [...components].reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const sub of ['pki', 'logs', 'bin']) mkdirSync(join(dir, sub));
    symlinkSync(bins.kubectl, join(dir, 'bin', 'kubectl'));
    const pki = makePki(join(dir, 'pki'));
    const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const log = (name: string) => join(dir, 'logs', `${name}.log`);

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = new Component('etcd', bins.etcd, [
      '--name=test', `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`, `--initial-cluster=test=${peerUrl}`,
      // Throw-away data: no fsync (the apiserver's writes are what is under test, not the disk).
      '--unsafe-no-fsync', '--log-level=warn',
    ], log('etcd'));
    components.push(etcd);
    await etcd.waitUntil('/health', async () => ((await (await fetch(`${etcdUrl}/health`)).json()) as { health?: string }).health === 'true', timeoutMs);

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = new Component('kube-apiserver', bins['kube-apiserver'], [
      `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'pki')}`, `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`, '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`, `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      // Room for the benchmark's 2,000 Services (a /24 runs out at 254).
      '--service-cluster-ip-range=10.0.0.0/16',
      ...(opts.apiserverArgs ?? []),
    ], log('kube-apiserver'));
    components.push(apiserver);
    await apiserver.waitUntil('/readyz', async () => (await httpsStatus(`${server}/readyz`, pki)) === 200, timeoutMs);

    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigText(server, pki), { mode: 0o600 });
    if (opts.crds !== undefined && opts.crds.length > 0) {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      await installCrds(kc, opts.crds);
    }
    if (opts.controllers !== undefined && opts.controllers.length > 0) {
      const kcmPort = await freePort();
      const kcm = new Component('kube-controller-manager', bins['kube-controller-manager'], [
        `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1', `--secure-port=${kcmPort}`, `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`,
        '--leader-elect=false', `--controllers=${opts.controllers.join(',')}`,
        `--root-ca-file=${pki.caCert}`, `--service-account-private-key-file=${pki.serviceAccountKey}`,
        ...(opts.controllerManagerArgs ?? []),
      ], log('kube-controller-manager'));
      components.push(kcm);
      // Healthy = started and talking to the apiserver; its controllers then sync on their own, and the
      // tests wait on what those do.
      await kcm.waitUntil('/healthz', async () => (await httpsStatus(`https://127.0.0.1:${kcmPort}/healthz`, pki)) === 200, timeoutMs);
    }
    return { dir, kubeconfig, server, binDir: join(dir, 'bin'), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The admin kubeconfig, as JSON (valid YAML, no templating). */
function kubeconfigText(server: string, pki: Pki): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority': pki.caCert } }],
    users: [{ name: 'admin', user: { 'client-certificate': pki.adminCert, 'client-key': pki.adminKey } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin' } }],
    'current-context': 'test',
  });
}

function httpsStatus(url: string, pki: Pki): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

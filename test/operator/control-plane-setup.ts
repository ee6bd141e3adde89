// The operator tier's globalSetup (loaded through global-setup.mjs): a private control plane (test/lib/control-plane/) for the
// whole run, in seconds, so the operator tests need no cluster. KUBECONFIG and PATH (its kubectl) are set
// here, before the tests load, and always replaced: these tests must never act on a shared cluster.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from '../lib/control-plane/control-plane.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The controller-manager's share of the tests; the rest of the cluster's controllers are not run.
 * - deployment-controller, replicaset-controller: Deployment status (status.test.ts: Available=False
 *   MinimumReplicasUnavailable, the rollout conditions the operator mirrors);
 * - resourcequota-controller, serviceaccount-controller: what a ReplicaSet's pod creation meets in a real
 *   namespace (the `noPods` quota's usage; the default ServiceAccount), so the Deployments report as on
 *   a cluster;
 * - garbage-collector-controller: children deleted with their McpServer (reconcile.test.ts);
 * - horizontal-pod-autoscaler-controller: the HPA's conditions the operator mirrors (autoscaling.test.ts);
 * - namespace-controller: each test file's namespace really goes away.
 */
export const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'resourcequota-controller',
  'serviceaccount-controller',
  'garbage-collector-controller',
  'horizontal-pod-autoscaler-controller',
  'namespace-controller',
];

export interface ControlPlaneGlobal {
  mcpControlPlane?: ControlPlane;
}

export default async function setup(): Promise<void> {
  const t0 = performance.now();
  const cp = await startControlPlane({ repoRoot: ROOT, crds: [join(ROOT, 'crds/mcp.sidecar.dev_mcpservers.yaml')], controllers: CONTROLLERS });
  (globalThis as ControlPlaneGlobal).mcpControlPlane = cp;
  process.env.KUBECONFIG = cp.kubeconfig;
  process.env.PATH = `${cp.binDir}:${process.env.PATH ?? ''}`;
  process.stderr.write(`\ncontrol plane up in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${cp.server} (${cp.dir})\n`);
}

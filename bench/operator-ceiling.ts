// The ceiling the operator is measured against: a raw client (client-node, no informers, no queue, no
// memo) writing what the operator writes for each McpServer -- create the key Secret, server-side apply
// the Service and the Deployment, server-side apply the status -- built by the operator's own pure
// builders, so the bytes are the same. Each worker takes one McpServer at a time: create it (as the
// bench's client does for the operator), then its four writes in the operator's order.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { parseMcpServer } from '../operator/api/mcp-server.js';
import type { BuildOptions } from '../operator/builders/build-options.js';
import { buildDeployment } from '../operator/builders/deployment.js';
import { buildService } from '../operator/builders/service.js';
import { buildSessionKeySecret } from '../operator/builders/session-key-secret.js';
import { computeStatus, withTransitionTimes } from '../operator/status/compute-status.js';

export interface CeilingResult {
  /** From the first McpServer create to the last write. */
  seconds: number;
  /** Writes besides the McpServer creates (4 per McpServer). */
  writes: number;
}

const G = { group: 'mcp.sidecar.dev', version: 'v1alpha1', plural: 'mcpservers' };
const MANAGER = 'mcp-bench-ceiling';

export async function runCeiling(
  kc: KubeConfig,
  namespace: string,
  names: readonly string[],
  spec: Record<string, unknown>,
  buildOptions: BuildOptions,
  concurrency: number,
): Promise<CeilingResult> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  let writes = 0;
  const one = async (name: string): Promise<void> => {
    const created: unknown = await custom.createNamespacedCustomObject({
      ...G,
      namespace,
      body: { apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', metadata: { name }, spec },
    });
    const parsed = parseMcpServer(created);
    if (!parsed.ok) throw new Error(`ceiling: the apiserver returned an McpServer the operator's schema rejects: ${parsed.error}`);
    const mcp = parsed.value;
    await core.createNamespacedSecret({ namespace, body: buildSessionKeySecret(mcp, randomBytes(32)), fieldManager: MANAGER });
    await objects.patch(buildService(mcp), undefined, undefined, MANAGER, true, PatchStrategy.ServerSideApply);
    await objects.patch(buildDeployment(mcp, buildOptions), undefined, undefined, MANAGER, true, PatchStrategy.ServerSideApply);
    // The status the operator writes first (the Deployment not yet observed: RolloutPending).
    const status = withTransitionTimes(computeStatus(mcp, undefined, { ok: true }), undefined, new Date().toISOString());
    await custom.patchNamespacedCustomObjectStatus(
      { ...G, namespace, name, body: { apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', metadata: { name, namespace }, status }, fieldManager: MANAGER, force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    writes += 4;
  };
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < names.length) {
        const name = names[next++];
        if (name !== undefined) await one(name);
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, writes };
}

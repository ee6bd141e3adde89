// When and where to probe an McpServer, decided from OBSERVED state only (the Deployment and Service as
// the cache shows them). Pure: the reconciler asks it on every pass (level-triggered); the prober does
// the I/O.
import { ANNOTATION_CONFIG_HASH } from '../api/constants.js';
import type { Deployment, Service } from '../api/kube-types.js';
import type { McpServer } from '../api/mcp-server.js';

export interface ProbeTarget {
  /** http://<ClusterIP>:<port><path>: reachable from a pod and from a host that runs kube-proxy. */
  url: string;
  /**
   * What a result is valid for: the pod template's config hash (pods roll when, and only when, it
   * changes), the URL and the token's Secret. A new fingerprint means a new probe.
   */
  fingerprint: string;
  /** The bridge's bearer token (spec.bridge.authTokenSecretRef), read by the prober when it probes. */
  token?: { namespace: string; name: string; key: string };
}

export type ProbePlan = { probe: true; target: ProbeTarget } | { probe: false; message: string };

export const AWAITING_MESSAGE = 'The server is probed once its Deployment is available with every replica updated';

/**
 * A target once the Deployment controller has seen the latest Deployment, reports it Available with a
 * ready replica, and no replica of an older template is left (so the Service reaches only pods of the
 * configuration being probed); undefined otherwise.
 */
export function planProbe(mcp: McpServer, deployment: Deployment | undefined, service: Service | undefined): ProbePlan {
  const wait: ProbePlan = { probe: false, message: AWAITING_MESSAGE };
  if (deployment === undefined || service === undefined) return wait;
  const st = deployment.status ?? {};
  if ((st.observedGeneration ?? -1) < (deployment.metadata?.generation ?? 0)) return wait;
  const available = (st.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
  const replicas = st.replicas ?? 0;
  if (!available || (st.readyReplicas ?? 0) < 1 || (st.updatedReplicas ?? 0) < replicas) return wait;
  const configHash = deployment.spec?.template.metadata?.annotations?.[ANNOTATION_CONFIG_HASH] ?? '';
  const ip = service.spec?.clusterIP;
  const port = service.spec?.ports?.[0]?.port;
  if (ip === undefined || ip === '' || ip === 'None' || port === undefined) return wait;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const path = mcp.spec.transport === 'streamable-http' ? mcp.spec.path : '/mcp';
  const url = `http://${host}:${String(port)}${path}`;
  const ref = mcp.spec.transport === 'stdio' ? mcp.spec.bridge.authTokenSecretRef : undefined;
  const token = ref === undefined ? undefined : { namespace: mcp.metadata.namespace, name: ref.name, key: ref.key };
  const fingerprint = [configHash, url, token === undefined ? '' : `${token.name}/${token.key}`].join('|');
  return { probe: true, target: { url, fingerprint, ...(token === undefined ? {} : { token }) } };
}

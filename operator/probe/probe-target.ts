// When and where to probe an McpServer, decided from OBSERVED state only (our pods as the cache shows
// them). Pure: the reconciler asks it on every pass (level-triggered); the prober does the I/O.
//
// The probe goes to one ready pod of the CURRENT configuration (its config-hash annotation equals the
// hash of the pod template built from the current spec), at the pod's IP: reachable from a pod and
// from a host on the cluster network (the operator test tier runs the operator on the host). Not the
// Service: during a rollout it still reaches old pods (draining ones serve for --drain-delay), and the
// answer would be attributed to the new configuration.
import { ANNOTATION_CONFIG_HASH } from '../api/constants.js';
import type { Pod } from '../api/kube-types.js';
import type { McpServer } from '../api/mcp-server.js';
import { servingPort } from '../builders/pod-template.js';

export interface ProbeTarget {
  /** http://<podIP>:<port><path> */
  url: string;
  /**
   * What a result is valid for: the configuration (pod template hash), the port and path, and the token's
   * Secret. A new fingerprint means a new probe; a replaced pod of the same configuration does not.
   */
  fingerprint: string;
  /** The bridge's bearer token (spec.bridge.authTokenSecretRef), read by the prober when it probes. */
  token?: { namespace: string; name: string; key: string };
}

export type ProbePlan = { probe: true; target: ProbeTarget } | { probe: false; message: string };

export const AWAITING_MESSAGE = 'The server is probed once a pod of its current configuration is ready';

const isReady = (p: Pod): boolean => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * @param configHash the config hash of the pod template built from the current spec
 * @param pods the McpServer's pods as observed
 */
export function planProbe(mcp: McpServer, configHash: string, pods: readonly Pod[]): ProbePlan {
  const candidates = pods
    .filter(
      (p) =>
        p.metadata?.annotations?.[ANNOTATION_CONFIG_HASH] === configHash &&
        p.metadata.deletionTimestamp === undefined &&
        isReady(p) &&
        (p.status?.podIP ?? '') !== '',
    )
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const pod = candidates[0];
  if (pod === undefined) return { probe: false, message: AWAITING_MESSAGE };
  const ip = pod.status?.podIP ?? '';
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const port = servingPort(mcp.spec);
  const path = mcp.spec.transport === 'streamable-http' ? mcp.spec.path : '/mcp';
  const ref = mcp.spec.transport === 'stdio' ? mcp.spec.bridge.authTokenSecretRef : undefined;
  const token = ref === undefined ? undefined : { namespace: mcp.metadata.namespace, name: ref.name, key: ref.key };
  const fingerprint = [configHash, `${String(port)}${path}`, token === undefined ? '' : `${token.name}/${token.key}`].join('|');
  return { probe: true, target: { url: `http://${host}:${String(port)}${path}`, fingerprint, ...(token === undefined ? {} : { token }) } };
}

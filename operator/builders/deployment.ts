import type { Deployment } from '../api/kube-types.js';
import {
  ANNOTATION_CONFIG_HASH,
  ANNOTATION_PROMETHEUS_PATH,
  ANNOTATION_PROMETHEUS_PORT,
  ANNOTATION_PROMETHEUS_SCRAPE,
} from '../api/constants.js';
import type { McpServer } from '../api/mcp-server.js';
import type { BuildOptions } from './build-options.js';
import { contentHash } from './canonical-json.js';
import { childLabels, ownerReference, selectorLabels } from './labels.js';
import { buildPodSpec, topologyOf } from './pod-template.js';
import { planReplicas, type ReplicaPlan } from './replica-plan.js';
import { serviceBaseUrl } from './urls.js';

/**
 * Scrape annotations for a pod with a bridge (its /metrics on the bridge port). A streamable-http server
 * has no bridge, and what it serves on its port is not ours to advertise.
 */
function metricsAnnotations(mcp: McpServer, opts: BuildOptions): Record<string, string> {
  if (!opts.bridgeMetricsAnnotations || topologyOf(mcp.spec) === 'streamable-http') return {};
  return {
    [ANNOTATION_PROMETHEUS_SCRAPE]: 'true',
    [ANNOTATION_PROMETHEUS_PORT]: String(mcp.spec.bridge.port),
    [ANNOTATION_PROMETHEUS_PATH]: '/metrics',
  };
}

/**
 * The Deployment of an McpServer, as we server-side apply it (only the fields we own).
 * @param plan replicas and update strategy; by default as if no claim existed yet (single-writer).
 */
export function buildDeployment(mcp: McpServer, opts: BuildOptions, plan: ReplicaPlan = planReplicas(mcp.spec, new Map())): Deployment {
  const { name, namespace } = mcp.metadata;
  const labels = childLabels(name);
  const podSpec = buildPodSpec(name, mcp.spec, opts, serviceBaseUrl(mcp), plan.singleWriterClaims);
  // The hash covers everything in the template, so pods roll exactly when the template's content changes.
  const configHash = contentHash({ labels, spec: podSpec });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels, ownerReferences: [ownerReference(mcp.metadata)] },
    spec: {
      replicas: plan.replicas,
      selector: { matchLabels: selectorLabels(name) },
      // Keep serving capacity during a rollout: a new pod must be ready before an old one goes. Not for
      // data with a single writer: the old pod stops before the new one starts.
      strategy:
        plan.strategy === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations: { [ANNOTATION_CONFIG_HASH]: configHash, ...metricsAnnotations(mcp, opts) } },
        spec: podSpec,
      },
    },
  };
}

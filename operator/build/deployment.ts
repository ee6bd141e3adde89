import type { Deployment } from '../api/kube-types.js';
import { ANNOTATION_CONFIG_HASH } from '../api/constants.js';
import type { McpServer } from '../api/mcp-server.js';
import type { BuildOptions } from './build-options.js';
import { contentHash } from './canonical-json.js';
import { childLabels, ownerReference, selectorLabels } from './labels.js';
import { buildPodSpec } from './pod-template.js';
import { serviceBaseUrl } from './urls.js';

/** The Deployment of an McpServer, as we server-side apply it (only the fields we own). */
export function buildDeployment(mcp: McpServer, opts: BuildOptions): Deployment {
  const { name, namespace } = mcp.metadata;
  const labels = childLabels(name);
  const podSpec = buildPodSpec(name, mcp.spec, opts, serviceBaseUrl(mcp));
  // The hash covers everything in the template, so pods roll exactly when the template's content changes.
  const configHash = contentHash({ labels, spec: podSpec });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels, ownerReferences: [ownerReference(mcp.metadata)] },
    spec: {
      replicas: mcp.spec.replicas,
      selector: { matchLabels: selectorLabels(name) },
      // Keep serving capacity during a rollout: a new pod must be ready before an old one goes.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations: { [ANNOTATION_CONFIG_HASH]: configHash } },
        spec: podSpec,
      },
    },
  };
}

import type { Service } from '../api/kube-types.js';
import type { McpServer } from '../api/mcp-server.js';
import { childLabels, ownerReference, selectorLabels } from './labels.js';
import { servingPort } from './pod-template.js';

export function buildService(mcp: McpServer): Service {
  const { name, namespace } = mcp.metadata;
  const port = servingPort(mcp.spec);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: childLabels(name), ownerReferences: [ownerReference(mcp.metadata)] },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(name),
      ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP', appProtocol: 'http' }],
    },
  };
}

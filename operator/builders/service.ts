import type { Service } from '../api/kube-types.js';
import { COMPONENT_PEERS, LABEL_COMPONENT } from '../api/constants.js';
import type { McpServer } from '../api/mcp-server.js';
import { childLabels, ownerReference, peerServiceName, selectorLabels } from './labels.js';
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

/**
 * A headless Service whose name resolves to the address of every ready replica: how a stopping bridge
 * finds its peers without API access. Not-ready pods are left out (a draining one is not a peer any more).
 * Its component label keeps it out of the bridges' ServiceMonitor (the main Service already lists them).
 */
export function buildPeerService(mcp: McpServer): Service {
  const { name, namespace } = mcp.metadata;
  const port = servingPort(mcp.spec);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: peerServiceName(name), namespace, labels: { ...childLabels(name), [LABEL_COMPONENT]: COMPONENT_PEERS }, ownerReferences: [ownerReference(mcp.metadata)] },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: false,
      selector: selectorLabels(name),
      ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP', appProtocol: 'http' }],
    },
  };
}

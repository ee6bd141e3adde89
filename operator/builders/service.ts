import type { Service } from '../api/kube-types.js';
import { COMPONENT_PEERS, LABEL_COMPONENT } from '../api/constants.js';
import type { McpServer } from '../api/mcp-server.js';
import { childLabels, ownerReference, peerServiceName, selectorLabels } from './labels.js';
import { servingPort } from './pod-template.js';

/** A Service of the McpServer's pods on their serving port (port named http). */
function serviceOf(mcp: McpServer, serviceName: string, labels: Record<string, string>, spec: Omit<NonNullable<Service['spec']>, 'selector' | 'ports'>): Service {
  const { name, namespace } = mcp.metadata;
  const port = servingPort(mcp.spec);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName, namespace, labels: { ...childLabels(name), ...labels }, ownerReferences: [ownerReference(mcp.metadata)] },
    spec: { ...spec, selector: selectorLabels(name), ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP', appProtocol: 'http' }] },
  };
}

/** What clients reach (status.url). */
export function buildService(mcp: McpServer): Service {
  return serviceOf(mcp, mcp.metadata.name, {}, { type: 'ClusterIP' });
}

/**
 * A headless Service whose name resolves to the address of every ready replica: how a stopping bridge
 * finds its peers without API access. Not-ready pods are left out (a draining one is not a peer any more).
 * Its component label keeps it out of the bridges' ServiceMonitor (the main Service already lists them).
 */
export function buildPeerService(mcp: McpServer): Service {
  return serviceOf(mcp, peerServiceName(mcp.metadata.name), { [LABEL_COMPONENT]: COMPONENT_PEERS }, { clusterIP: 'None', publishNotReadyAddresses: false });
}

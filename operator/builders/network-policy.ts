// The NetworkPolicy of an McpServer with spec.network. Pure.
// What the user lists is passed through as NetworkPolicy peers and rules; the operator adds only what
// the system itself needs to keep working (docs/security.md#network):
// - ingress from the operator's namespace (its MCP probe: status.server, ServerVerified) and from the
//   McpServer's own pods (a replica relays a request to the replica that owns its session);
// - egress to the McpServer's own pods (the same relays), and DNS unless turned off.
import type { KubeObject } from '../api/kube-types.js';
import type { McpServer, Network } from '../api/mcp-server.js';
import type { BuildOptions } from './build-options.js';
import { childLabels, ownerReference, selectorLabels } from './labels.js';

type Rule = Record<string, unknown>;

/** Every address outside the private (RFC 1918, RFC 6598), loopback and link-local ranges. */
export const PUBLIC_IPV4 = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] };
/** The same for IPv6: outside unique-local (RFC 4193), loopback and link-local. */
export const PUBLIC_IPV6 = { cidr: '::/0', except: ['::1/128', 'fc00::/7', 'fe80::/10'] };

const DNS_RULE: Rule = { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };

function ingressRules(name: string, ingress: NonNullable<Network['ingress']>, operatorNamespace: string | undefined): Rule[] {
  const rules: Rule[] = [];
  if (ingress.from.length > 0) rules.push({ from: ingress.from });
  if (operatorNamespace !== undefined && operatorNamespace !== '') {
    rules.push({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': operatorNamespace } } }] });
  }
  rules.push({ from: [{ podSelector: { matchLabels: selectorLabels(name) } }] });
  return rules;
}

function egressRules(name: string, egress: NonNullable<Network['egress']>): Rule[] {
  const rules: Rule[] = egress.allow.map((r) => ({ ...(r.to === undefined ? {} : { to: r.to }), ...(r.ports === undefined ? {} : { ports: r.ports }) }));
  if (egress.publicInternet) rules.push({ to: [{ ipBlock: PUBLIC_IPV4 }, { ipBlock: PUBLIC_IPV6 }] });
  if (egress.dns) rules.push(DNS_RULE);
  rules.push({ to: [{ podSelector: { matchLabels: selectorLabels(name) } }] });
  return rules;
}

/** undefined = spec.network asks for no policy (absent, or neither ingress nor egress). */
export function buildNetworkPolicy(mcp: McpServer, options: BuildOptions): (KubeObject & { spec: Record<string, unknown> }) | undefined {
  const network = mcp.spec.network;
  if (network?.ingress === undefined && network?.egress === undefined) return undefined;
  const { name, namespace } = mcp.metadata;
  const policyTypes = [...(network.ingress === undefined ? [] : ['Ingress']), ...(network.egress === undefined ? [] : ['Egress'])];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: childLabels(name), ownerReferences: [ownerReference(mcp.metadata)] },
    spec: {
      podSelector: { matchLabels: selectorLabels(name) },
      policyTypes,
      ...(network.ingress === undefined ? {} : { ingress: ingressRules(name, network.ingress, options.operatorNamespace) }),
      ...(network.egress === undefined ? {} : { egress: egressRules(name, network.egress) }),
    },
  };
}

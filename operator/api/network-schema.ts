// spec.network: the McpServer's NetworkPolicy. Part of the McpServer API's one source (mcp-server.ts; how to
// read it: schema-kit.ts).
import { z } from 'zod';
import { networkPeer, networkPort } from './kube-shapes.js';
import { cel, crd } from './schema-kit.js';

/**
 * spec.network: the McpServer's NetworkPolicy (operator/builders/network-policy.ts). Peers and ports are
 * NetworkPolicy's own shapes, validated by the CRD schema and passed through as written.
 */
export const networkSchema = z
  .object({
    ingress: z
      .object({ from: z.array(networkPeer).max(32).default([]) })
      .meta(
        crd({
          description:
            "Set: only these peers may connect (plus the operator's namespace, for its MCP probe, and the McpServer's own pods, for session relays between replicas); from: [] = nobody else. Kubelet probes from the node are not affected.",
        }),
      )
      .optional(),
    egress: z
      .object({
        dns: z
          .boolean()
          .default(true)
          .meta(crd({ admissionDefault: true, description: 'Allow DNS (UDP and TCP port 53, any destination).' })),
        publicInternet: z
          .boolean()
          .default(false)
          .meta(
            crd({
              admissionDefault: true,
              description:
                'Allow every address outside the private (RFC 1918, RFC 6598, RFC 4193), loopback and link-local ranges, any port: for servers like fetch that must reach the web but not the cluster or cloud metadata.',
            }),
          ),
        allow: z
          .array(
            z
              .object({ to: z.array(networkPeer).max(32).optional(), ports: z.array(networkPort).max(32).optional() })
              .meta(crd({ 'x-kubernetes-validations': [cel('has(self.to) || has(self.ports)', 'an egress rule names peers (to), ports, or both')] })),
          )
          .max(32)
          .default([])
          .meta(crd({ description: 'NetworkPolicy egress rules: to (peers; empty = any destination) and ports (empty = any port).' })),
      })
      .meta(crd({ description: 'Set: the server may connect only to what is allowed here (plus DNS unless dns is false, and its own pods).' }))
      .optional(),
  })
  .meta(
    crd({
      description:
        "Network reach of the server's pods: a NetworkPolicy owned by the operator (deleted when this is removed). Absent: no policy (any pod may connect, the server may connect anywhere). Enforced only where the cluster runs a NetworkPolicy engine. See docs/security.md#network.",
    }),
  );
export type Network = z.infer<typeof networkSchema>;

import { parseMcpServer, type McpServer } from '../api/mcp-server.js';
import type { BuildOptions } from './build-options.js';
import { PUBLIC_IPV4, buildNetworkPolicy } from './network-policy.js';

const opts: BuildOptions = { bridgeImage: 'b', bridgeImagePullPolicy: 'IfNotPresent', bridgeMetricsAnnotations: false };
const own = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'mcp-server', 'app.kubernetes.io/instance': 'srv' } } };

function mcp(network: unknown): McpServer {
  const r = parseMcpServer({
    apiVersion: 'mcp.sidecar.dev/v1alpha1',
    kind: 'McpServer',
    metadata: { name: 'srv', namespace: 'tools', uid: 'u', generation: 1 },
    spec: { command: ['srv'], ...(network === undefined ? {} : { network }) },
  });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('buildNetworkPolicy', () => {
  it('when spec.network is absent or empty, then there is no policy', () => {
    expect(buildNetworkPolicy(mcp(undefined), opts)).toBeUndefined();
    expect(buildNetworkPolicy(mcp({}), opts)).toBeUndefined();
  });

  it('when only ingress is set, then the policy is Ingress-only: the listed peers, the operator namespace, the own pods', () => {
    const from = [{ namespaceSelector: { matchLabels: { team: 'a' } } }];
    const p = buildNetworkPolicy(mcp({ ingress: { from } }), { ...opts, operatorNamespace: 'mcp-system' });
    expect(p?.spec.policyTypes).toEqual(['Ingress']);
    expect(p?.spec.ingress).toEqual([
      { from },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mcp-system' } } }] },
      { from: [own] },
    ]);
    expect(p?.spec.egress).toBeUndefined();
  });

  it('when ingress.from is empty and the operator runs out of cluster, then only the own pods are let in', () => {
    expect(buildNetworkPolicy(mcp({ ingress: {} }), opts)?.spec.ingress).toEqual([{ from: [own] }]);
  });

  it('when egress is set, then the user rules come first, then public internet, DNS (by default) and the own pods', () => {
    const allow = [{ to: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] }];
    const p = buildNetworkPolicy(mcp({ egress: { allow, publicInternet: true } }), opts);
    expect(p?.spec.policyTypes).toEqual(['Egress']);
    const egress = p?.spec.egress as Record<string, unknown>[];
    expect(egress[0]).toEqual(allow[0]);
    expect(egress[1]).toMatchObject({ to: [{ ipBlock: PUBLIC_IPV4 }, { ipBlock: { cidr: '::/0' } }] });
    expect(egress[2]).toEqual({ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] });
    expect(egress[3]).toEqual({ to: [own] });
  });

  it('when dns is false, then no DNS rule is added', () => {
    const egress = buildNetworkPolicy(mcp({ egress: { dns: false } }), opts)?.spec.egress as unknown[];
    expect(egress).toEqual([{ to: [own] }]);
  });

  it('when the public-internet preset is used, then private, loopback, link-local and CGNAT ranges are excluded', () => {
    for (const cidr of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8']) {
      expect(PUBLIC_IPV4.except).toContain(cidr);
    }
  });

  it('when built twice, then the bytes are identical and the policy is owned by the McpServer', () => {
    const spec = { ingress: { from: [] }, egress: { publicInternet: true } };
    expect(JSON.stringify(buildNetworkPolicy(mcp(spec), opts))).toBe(JSON.stringify(buildNetworkPolicy(mcp(spec), opts)));
    expect(buildNetworkPolicy(mcp(spec), opts)?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'McpServer', name: 'srv', controller: true });
  });
});

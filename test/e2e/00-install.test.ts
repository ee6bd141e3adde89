// The chart: lint, server-side dry run, install, least-privilege RBAC identical to operator/rbac.yaml; the
// samples Ready in a PodSecurity-restricted namespace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { NAMESPACE, RELEASE, SYSTEM_NAMESPACE, condition, getJson, helm, kubectl, mcpServer } from './lib/kube.js';
import { ROOT } from './lib/mcp.js';
import { CHART, SAMPLES, ensureSystem } from './lib/system.js';

interface Rule { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[] }
interface RbacDoc { kind: string; rules?: Rule[] }
const norm = (rules: Rule[] | undefined) => JSON.stringify((rules ?? []).map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs, resourceNames: r.resourceNames })));

describe('the Helm chart', () => {
  it('when linted, then helm lint passes', async () => {
    await helm(['lint', CHART]);
  });

  it('when rendered (CRDs included), then the apiserver accepts every manifest in a server-side dry run', async () => {
    await kubectl(['create', 'namespace', SYSTEM_NAMESPACE, '--dry-run=client', '-o', 'yaml']).then((y) => kubectl(['apply', '-f', '-'], { input: y }));
    const rendered = await helm(['template', RELEASE, CHART, '-n', SYSTEM_NAMESPACE, '--include-crds']);
    // Server-side apply: strict schema checks whether or not the objects exist already (a client-side
    // apply of a new CRD only warns about unknown fields; of an existing one it fails).
    const out = await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=e2e-dry-run', '--dry-run=server', '-f', '-'], { input: rendered });
    expect(out).toMatch(/deployment.apps\/\S+ serverside-applied \(server dry run\)/);
    expect(out).toMatch(/customresourcedefinition.apiextensions.k8s.io\/mcpservers.mcp.sidecar.dev serverside-applied \(server dry run\)/);
  }, 60_000);

  it('when installed, then the operator runs and the samples become Ready', async () => {
    await ensureSystem();
  }, 600_000);

  it('when installed, then its ClusterRole and Role carry exactly the rules of operator/rbac.yaml', async () => {
    const source = loadAllYaml(readFileSync(join(ROOT, 'operator/rbac.yaml'), 'utf8')) as RbacDoc[];
    const want = (kind: string) => norm(source.find((d) => d.kind === kind)?.rules);
    const cr = await getJson<RbacDoc>(['get', 'clusterrole', RELEASE]);
    const role = await getJson<RbacDoc>(['get', 'role', `${RELEASE}-leader-election`, '-n', SYSTEM_NAMESPACE]);
    expect(norm(cr.rules)).toBe(want('ClusterRole'));
    expect(norm(role.rules)).toBe(want('Role'));
  }, 60_000);

  it('when installed, then the operator serves /metrics through its metrics Service', async () => {
    const svc = await getJson<{ spec: { clusterIP: string; ports: { port: number }[] } }>(['get', 'svc', `${RELEASE}-metrics`, '-n', SYSTEM_NAMESPACE]);
    const res = await fetch(`http://${svc.spec.clusterIP}:${String(svc.spec.ports[0]?.port)}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('mcp_operator_reconciles_total');
  }, 60_000);
});

describe('the samples', () => {
  beforeAll(() => ensureSystem(), 600_000);

  it('when applied, then they run in a namespace that enforces PodSecurity "restricted"', async () => {
    const ns = await getJson<{ metadata: { labels?: Record<string, string> } }>(['get', 'namespace', NAMESPACE]);
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it.each(SAMPLES.map((s) => [s.name]))('when %s is Ready, then its status tells the truth (generation, replicas, url)', async (name) => {
    const o = await mcpServer(name);
    expect(condition(o, 'Ready')?.status).toBe('True');
    expect(condition(o, 'Reconciled')?.status).toBe('True');
    expect(o.status?.observedGeneration).toBe(o.metadata.generation);
    expect(o.status?.readyReplicas).toBe(o.spec.replicas ?? 1);
    expect(o.status?.url).toMatch(new RegExp(`^http://${name}\\.${NAMESPACE}\\.svc\\.cluster\\.local:\\d+/mcp$`));
  });
});

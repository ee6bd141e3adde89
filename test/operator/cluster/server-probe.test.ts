// The operator's MCP probe through real Services: the operator (in-process, on this host) probes each
// available McpServer at its ClusterIP. The pods run this checkout's bridge and npm servers from the
// node image, mounted read-only from the host (hostPath; the tier runs before the bridge image exists,
// and the namespace has no PodSecurity enforcement): a real bridge in shared mode (both eras), the
// reference server's own 2025-era Streamable HTTP transport (legacy only), and an HTTP server that is
// not MCP.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  NODE_IMAGE,
  ROOT,
  api,
  condition,
  counterValue,
  createMcpServer,
  createNamespace,
  deleteNamespace,
  getMcpServer,
  installCrd,
  mcpServer,
  patchMcpServerSpec,
  startOperator,
  waitFor,
  type McpServerObject,
  type RunningOperator,
} from '../harness.js';

const a = api();
let ns = '';
let op: RunningOperator;
const EVERYTHING = '/src/node_modules/@modelcontextprotocol/server-everything/dist/index.js';

/** A pod of the node image with this checkout mounted on /src, serving on `port`. */
function fromSource(command: string[], port: number, env: Record<string, string> = {}): Record<string, unknown> {
  return {
    transport: 'streamable-http',
    image: NODE_IMAGE,
    imagePullPolicy: 'Never',
    command,
    port,
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    volumes: [{ name: 'src', hostPath: { path: ROOT, type: 'Directory' } }],
    volumeMounts: [{ name: 'src', mountPath: '/src', readOnly: true }],
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '384Mi' } },
  };
}

const BRIDGE = ['node', '/src/dist/bridge/main.js', '--host', '0.0.0.0', '--port', '3000', '--session-mode', 'shared', '--', 'node', EVERYTHING, 'stdio'];

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/bridge/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (the pods run the bridge from it)');
  await installCrd(a);
  ns = await createNamespace(a, 'op-probe');
  // Rechecks every second, so the no-write test below sees several probes of an unchanged server.
  op = await startOperator(ns, ['--probe-interval-seconds=1']);
}, 60_000);

afterAll(async () => {
  await op.stop();
  await deleteNamespace(a, ns);
});

const verified = (name: string, reason: string, generation = 1) => async (): Promise<McpServerObject | undefined> => {
  const m = await getMcpServer(a, ns, name);
  const c = condition(m, 'ServerVerified');
  if (c?.status === 'False') throw new Error(`ServerVerified=False ${c.reason}: ${c.message}`);
  return c?.reason === reason && c.observedGeneration === generation ? m : undefined;
};

describe('ServerVerified and status.server through real Services', () => {
  it('when a bridge in shared mode is available, then server/discover finds both eras and the server behind it', async () => {
    await createMcpServer(a, mcpServer(ns, 'bridged', fromSource(BRIDGE, 3000)));
    const m = await waitFor('bridged ServerVerified=Discovered', verified('bridged', 'Discovered'), 180_000);
    expect(m.status).toMatchObject({
      server: { name: 'mcp-servers/everything', protocolVersions: expect.arrayContaining(['2026-07-28', '2025-11-25']) as unknown, eras: ['modern', 'legacy'] },
    });
    expect(condition(m, 'ServerVerified')?.message).toMatch(/^server\/discover answered; protocol versions: 2026-07-28, 2025-11-25/);
  }, 240_000);

  it('when a server speaks only the 2025 revisions, then initialize finds it: legacy only', async () => {
    const legacy = fromSource(['node', EVERYTHING, 'streamableHttp'], 3001, { PORT: '3001' });
    await createMcpServer(a, mcpServer(ns, 'legacy-http', legacy));
    const m = await waitFor('legacy-http ServerVerified=Initialized', verified('legacy-http', 'Initialized'), 180_000);
    expect(m.status?.server).toMatchObject({ name: 'mcp-servers/everything', eras: ['legacy'] });
  }, 240_000);

  it('when the server is not MCP at all, then ServerVerified=False NotAnMcpServer', async () => {
    const plain = fromSource(['node', '-e', "require('http').createServer((q, r) => r.end('ok')).listen(3002)"], 3002);
    await createMcpServer(a, mcpServer(ns, 'plain-http', plain));
    const m = await waitFor(
      'plain-http ServerVerified=False',
      async () => {
        const o = await getMcpServer(a, ns, 'plain-http');
        return condition(o, 'ServerVerified')?.status === 'False' ? o : undefined;
      },
      180_000,
    );
    expect(condition(m, 'ServerVerified')).toMatchObject({ reason: 'NotAnMcpServer', message: expect.stringContaining('HTTP 200') as unknown });
    expect(m.status?.server).toBeUndefined();
  }, 240_000);

  it('when an unchanged server is probed again and again, then its McpServer is not written', async () => {
    const before = (await getMcpServer(a, ns, 'bridged')).metadata?.resourceVersion;
    const probes = await counterValue(op.operator, 'mcp_operator_server_probes_total');
    await waitFor('three more probes', async () => ((await counterValue(op.operator, 'mcp_operator_server_probes_total')) >= probes + 3 * 3 ? true : undefined), 60_000);
    expect((await getMcpServer(a, ns, 'bridged')).metadata?.resourceVersion).toBe(before);
  }, 90_000);

  it('when kubectl get mcp lists them, then ERAS and SERVER show what the probes found', () => {
    const out = execFileSync('kubectl', ['get', 'mcp', '-n', ns, '-o', 'wide'], { env: process.env, stdio: 'pipe' }).toString();
    const row = (name: string) => out.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+REPLICAS\s+ERAS\s+SERVER\s+URL\s+AGE\s+REASON\s+VERSION\s+VERIFIED\s+IMAGE/);
    expect(row('bridged')).toMatch(/\["modern","legacy"\]\s+mcp-servers\/everything\s.*\sDiscovered\s/);
    expect(row('legacy-http')).toMatch(/\["legacy"\]\s+mcp-servers\/everything\s.*\sInitialized\s/);
    expect(row('plain-http')).toMatch(/\sNotAnMcpServer\s/);
  });

  it('when the pod template changes, then the new pods are probed again (ServerVerified follows the generation)', async () => {
    await patchMcpServerSpec(a, ns, 'bridged', { env: [{ name: 'PROBE_TEST', value: 'rolled' }] });
    // The probe goes to the first ready pod of the new template, possibly before the rollout completes,
    // so Ready (which follows the rollout) may turn True a little later: wait for both, in either order.
    const m = await waitFor('bridged re-verified for generation 2', verified('bridged', 'Discovered', 2), 180_000);
    expect(condition(m, 'ServerVerified')?.observedGeneration).toBe(2);
    const ready = await waitFor(
      'bridged Ready after the rollout',
      async () => {
        const o = await verified('bridged', 'Discovered', 2)();
        return o !== undefined && condition(o, 'Ready')?.status === 'True' && condition(o, 'Ready')?.observedGeneration === 2 ? o : undefined;
      },
      180_000,
    );
    expect(ready.status?.server).toMatchObject({ eras: ['modern', 'legacy'] });
  }, 240_000);
});

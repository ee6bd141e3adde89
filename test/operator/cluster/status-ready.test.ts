// Status follows pods that really run (kubelet, containerd, the node image): on the full cluster only.
import {
  NODE_IMAGE,
  api,
  condition,
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
let open = '';
let op: RunningOperator | undefined;

beforeAll(async () => {
  await installCrd(a);
  open = await createNamespace(a, 'op-st1');
  op = await startOperator(open);
}, 60_000);

afterAll(async () => {
  await op?.stop();
  await deleteNamespace(a, open);
});

const conditionIs = (ns: string, name: string, type: string, status: string, reason?: string) => async (): Promise<McpServerObject | undefined> => {
  const m = await getMcpServer(a, ns, name);
  const c = condition(m, type);
  return c?.status === status && (reason === undefined || c.reason === reason) ? m : undefined;
};

describe('status from running pods', () => {
  it('when the pods become ready, then Ready=True, and scaling to zero makes it ScaledToZero', async () => {
    // A server that already speaks HTTP (a two-line node server), so no bridge image is needed.
    await createMcpServer(
      a,
      mcpServer(open, 'tiny-http', {
        transport: 'streamable-http',
        image: NODE_IMAGE,
        imagePullPolicy: 'Never',
        command: ['node', '-e', "require('http').createServer((q, r) => r.end('ok')).listen(3000)"],
        port: 3000,
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
      }),
    );
    const ready = await waitFor('Ready=True', conditionIs(open, 'tiny-http', 'Ready', 'True', 'AllReplicasReady'), 120_000);
    expect(ready.status).toMatchObject({ replicas: 1, readyReplicas: 1, url: `http://tiny-http.${open}.svc.cluster.local:3000/mcp` });
    expect(ready.status?.sseUrl).toBeUndefined();
    expect(condition(ready, 'Available')?.status).toBe('True');

    await patchMcpServerSpec(a, open, 'tiny-http', { replicas: 0 });
    const zero = await waitFor('ScaledToZero', conditionIs(open, 'tiny-http', 'Ready', 'False', 'ScaledToZero'), 60_000);
    expect(zero.status?.observedGeneration).toBe(2);
  });
});

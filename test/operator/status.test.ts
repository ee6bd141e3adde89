// Status follows what the Deployment controller (the real kube-controller-manager) reports. Pods that
// really become ready: cluster/status-ready.test.ts (full cluster).
import {
  api,
  condition,
  createMcpServer,
  createNamespace,
  deleteNamespace,
  getMcpServer,
  installCrd,
  mcpServer,
  startOperator,
  waitFor,
  type McpServerObject,
  type RunningOperator,
} from './harness.js';

const a = api();
let blocked = '';
let op: RunningOperator | undefined;

beforeAll(async () => {
  await installCrd(a);
  blocked = await createNamespace(a, 'op-st0', { noPods: true });
  op = await startOperator(blocked);
}, 60_000);

afterAll(async () => {
  await op?.stop();
  await deleteNamespace(a, blocked);
});

const conditionIs = (ns: string, name: string, type: string, status: string, reason?: string) => async (): Promise<McpServerObject | undefined> => {
  const m = await getMcpServer(a, ns, name);
  const c = condition(m, type);
  return c?.status === status && (reason === undefined || c.reason === reason) ? m : undefined;
};

describe('status from observed state', () => {
  it('when the Deployment controller reports no available pods, then Available=False and Ready=False with its reasons', async () => {
    await createMcpServer(a, mcpServer(blocked, 'starved', { command: ['npx', '-y', '@modelcontextprotocol/server-memory'] }));
    const m = await waitFor('Available=False', conditionIs(blocked, 'starved', 'Available', 'False', 'MinimumReplicasUnavailable'));
    expect(condition(m, 'Ready')).toMatchObject({ status: 'False', reason: 'ReplicasNotReady', message: '0/1 replicas ready' });
    expect(condition(m, 'Reconciled')).toMatchObject({ status: 'True', reason: 'Applied' });
    expect(m.status).toMatchObject({ readyReplicas: 0, observedGeneration: 1 });
  });
});

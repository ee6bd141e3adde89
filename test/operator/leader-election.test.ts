// Two operator replicas with Lease-based leader election: never both act; the standby takes over.
import {
  api,
  counterValue,
  createMcpServer,
  createNamespace,
  deleteNamespace,
  installCrd,
  mcpServer,
  startOperator,
  waitFor,
  type RunningOperator,
} from './harness.js';

const a = api();
let ns = '';
let one: RunningOperator | undefined;
let two: RunningOperator | undefined;
const election = ['--leader-elect=true', '--leader-election-id=mcp-test-lease', '--lease-duration-seconds=4', '--renew-deadline-seconds=3', '--retry-period-seconds=1'];

beforeAll(async () => {
  await installCrd(a);
  ns = await createNamespace(a, 'op-le', { noPods: true });
}, 60_000);

afterAll(async () => {
  await one?.stop();
  await two?.stop();
  await deleteNamespace(a, ns);
});

const writesOf = (r: RunningOperator, verb: string) => counterValue(r.operator, 'mcp_operator_writes_total', { verb });

describe('leader election', () => {
  it('when two replicas run, then exactly one leads and only it writes; when it stops, then the other takes over', async () => {
    one = await startOperator(ns, election, 'replica-one');
    two = await startOperator(ns, election, 'replica-two');
    const r1 = one;
    const r2 = two;
    let both = 0;
    const sampler = setInterval(() => {
      if (r1.operator.isLeader() && r2.operator.isLeader()) both++;
    }, 20);
    try {
      const leader = await waitFor('a leader', () => (r1.operator.isLeader() ? r1 : r2.operator.isLeader() ? r2 : undefined), 20_000);
      const standby = leader === r1 ? r2 : r1;

      await createMcpServer(a, mcpServer(ns, 'first', { command: ['srv'] }));
      await waitFor('first Deployment', () => a.apps.readNamespacedDeployment({ namespace: ns, name: 'first' }));
      expect(await writesOf(standby, 'apply')).toBe(0);
      expect(await writesOf(standby, 'status')).toBe(0);
      expect(await writesOf(standby, 'create')).toBe(0);
      expect(await writesOf(leader, 'apply')).toBeGreaterThan(0);

      await leader.stop();
      await waitFor('the standby to lead', () => (standby.operator.isLeader() ? true : undefined), 15_000);
      await createMcpServer(a, mcpServer(ns, 'second', { command: ['srv'] }));
      await waitFor('second Deployment', () => a.apps.readNamespacedDeployment({ namespace: ns, name: 'second' }));
      expect(await writesOf(standby, 'apply')).toBeGreaterThan(0);
    } finally {
      clearInterval(sampler);
    }
    expect(both).toBe(0);
  });
});

import type { Deployment } from '../api/kube-types.js';
import { parseMcpServer, type McpServer } from '../api/mcp-server.js';
import { computeStatus, withTransitionTimes, type ReconcileOutcome } from './compute-status.js';

function mcp(replicas: number, generation = 3): McpServer {
  const r = parseMcpServer({
    metadata: { name: 'fs', namespace: 'tools', uid: 'u1', generation },
    spec: { command: ['srv'], replicas },
  });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

interface DepState {
  generation?: number;
  observedGeneration?: number;
  specReplicas?: number;
  replicas?: number;
  updated?: number;
  ready?: number;
  available?: 'True' | 'False';
  progressDeadline?: boolean;
}

function dep(s: DepState): Deployment {
  const conditions = [];
  if (s.available !== undefined) {
    conditions.push({ type: 'Available', status: s.available, reason: s.available === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: 'm' });
  }
  if (s.progressDeadline === true) conditions.push({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'm' });
  return {
    metadata: { name: 'fs', namespace: 'tools', generation: s.generation ?? 1 },
    spec: { replicas: s.specReplicas ?? 2, selector: {}, template: {} },
    status: {
      observedGeneration: s.observedGeneration ?? 1,
      replicas: s.replicas ?? 2,
      updatedReplicas: s.updated ?? 2,
      readyReplicas: s.ready ?? 2,
      conditions,
    },
  };
}

const ok: ReconcileOutcome = { ok: true };
const readyOf = (st: ReturnType<typeof computeStatus>) => st.conditions.find((c) => c.type === 'Ready');

describe('computeStatus', () => {
  it.each<[string, number, Deployment | undefined, ReconcileOutcome, string, string]>([
    ['no Deployment yet', 2, undefined, ok, 'False', 'DeploymentNotFound'],
    ['the Deployment controller has not seen the new spec', 2, dep({ generation: 2, observedGeneration: 1 }), ok, 'False', 'RolloutPending'],
    ['the Deployment still has the old replica count', 3, dep({ specReplicas: 2 }), ok, 'False', 'RolloutPending'],
    ['pods are not ready', 2, dep({ ready: 1, available: 'True' }), ok, 'False', 'ReplicasNotReady'],
    ['no pods could be created (quota, scheduling)', 2, dep({ replicas: 0, updated: 0, ready: 0, available: 'False' }), ok, 'False', 'ReplicasNotReady'],
    ['a rollout is in progress', 2, dep({ updated: 1, replicas: 3 }), ok, 'False', 'RolloutInProgress'],
    ['the rollout is stuck', 2, dep({ ready: 0, progressDeadline: true }), ok, 'False', 'ProgressDeadlineExceeded'],
    ['scaled to zero', 0, dep({ specReplicas: 0, replicas: 0, updated: 0, ready: 0 }), ok, 'False', 'ScaledToZero'],
    ['every replica is ready', 2, dep({ available: 'True' }), ok, 'True', 'AllReplicasReady'],
    ['the apply failed', 2, dep({ available: 'True' }), { ok: false, reason: 'ApplyFailed', message: 'denied' }, 'False', 'ReconcileFailed'],
  ])('when %s, then Ready is %s/%s', (_what, replicas, d, outcome, status, reason) => {
    const st = computeStatus(mcp(replicas), d, outcome);
    expect(readyOf(st)).toMatchObject({ status, reason, observedGeneration: 3 });
  });

  it('when the Deployment reports Available, then Available mirrors it', () => {
    const st = computeStatus(mcp(2), dep({ available: 'False' }), ok);
    expect(st.conditions.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });

  it('when reconciled, then status carries generation, counts, selector and URLs', () => {
    const st = computeStatus(mcp(2), dep({ ready: 1, replicas: 2 }), ok);
    expect(st).toMatchObject({
      observedGeneration: 3,
      replicas: 2,
      readyReplicas: 1,
      selector: 'app.kubernetes.io/instance=fs,app.kubernetes.io/name=mcp-server',
      url: 'http://fs.tools.svc.cluster.local:8080/mcp',
      sseUrl: 'http://fs.tools.svc.cluster.local:8080/sse',
    });
    expect(st.conditions.find((c) => c.type === 'Reconciled')).toMatchObject({ status: 'True', reason: 'Applied' });
  });

  it('when the same inputs are given twice, then the output is identical', () => {
    expect(JSON.stringify(computeStatus(mcp(2), dep({}), ok))).toBe(JSON.stringify(computeStatus(mcp(2), dep({}), ok)));
  });
});

describe('withTransitionTimes', () => {
  it('when a condition keeps its status, then its lastTransitionTime is kept; when it flips, then it is now', () => {
    const first = withTransitionTimes(computeStatus(mcp(2), dep({ ready: 1 }), ok), undefined, 'T1');
    const same = withTransitionTimes(computeStatus(mcp(2), dep({ ready: 1 }), ok), first.conditions, 'T2');
    expect(same.conditions?.every((c) => c.lastTransitionTime === 'T1')).toBe(true);
    const flipped = withTransitionTimes(computeStatus(mcp(2), dep({ available: 'True' }), ok), first.conditions, 'T3');
    expect(flipped.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('T3');
    expect(flipped.conditions?.find((c) => c.type === 'Reconciled')?.lastTransitionTime).toBe('T1');
  });
});

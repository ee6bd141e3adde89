import { parseMcpServer, type McpServer } from '../api/mcp-server.js';
import { planReplicas } from '../builders/replica-plan.js';
import { scalingPart, type HpaView } from './scaling-status.js';

function mcp(spec: Record<string, unknown>): McpServer {
  const r = parseMcpServer({ metadata: { name: 'm', namespace: 'ns', uid: 'u', generation: 3 }, spec: { command: ['srv'], ...spec } });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
const auto = { autoscaling: { maxReplicas: 4, targets: { sessionsPerPod: 10 } } };
const hpa = (active: { status: string; reason: string; message: string } | undefined): HpaView => ({
  status: { currentReplicas: 2, desiredReplicas: 3, lastScaleTime: '2026-12-03T00:00:00Z', conditions: active === undefined ? [] : [{ type: 'ScalingActive', ...active }] },
});

describe('status.autoscaling and the Autoscaling / ScalingLimited conditions', () => {
  it('when autoscaling is off, then there is neither status.autoscaling nor a condition', () => {
    const m = mcp({});
    expect(scalingPart(m, planReplicas(m.spec, new Map()), undefined)).toEqual({ conditions: [] });
  });

  it('when the HPA has not reported yet, then Autoscaling is Unknown', () => {
    const m = mcp(auto);
    expect(scalingPart(m, planReplicas(m.spec, new Map()), undefined).conditions[0]).toMatchObject({ type: 'Autoscaling', status: 'Unknown', reason: 'AutoscalerPending', observedGeneration: 3 });
  });

  it('when the HPA cannot get its metrics, then Autoscaling is False with its reason and message', () => {
    const m = mcp(auto);
    const part = scalingPart(m, planReplicas(m.spec, new Map()), hpa({ status: 'False', reason: 'FailedGetPodsMetric', message: 'unable to get metric mcp_bridge_sessions_active' }));
    expect(part.conditions[0]).toMatchObject({ status: 'False', reason: 'FailedGetPodsMetric', message: 'unable to get metric mcp_bridge_sessions_active' });
    expect(part.autoscaling).toEqual({ currentReplicas: 2, desiredReplicas: 3, lastScaleTime: '2026-12-03T00:00:00Z' });
  });

  it('when the HPA is active, then Autoscaling is True and its replica counts are reported', () => {
    const m = mcp(auto);
    const part = scalingPart(m, planReplicas(m.spec, new Map()), hpa({ status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to compute the replica count' }));
    expect(part.conditions[0]).toMatchObject({ status: 'True', reason: 'ScalingActive' });
    expect(part.autoscaling?.desiredReplicas).toBe(3);
  });

  it('when a single-writer claim holds the server at one pod, then ScalingLimited says which claim, and Autoscaling is False', () => {
    const m = mcp({
      ...auto,
      volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'memory-data' } }],
      volumeMounts: [{ name: 'd', mountPath: '/data' }],
    });
    const part = scalingPart(m, planReplicas(m.spec, new Map([['memory-data', ['ReadWriteOnce']]])), undefined);
    expect(part.conditions).toEqual([
      expect.objectContaining({ type: 'Autoscaling', status: 'False', reason: 'SingleWriterData' }),
      expect.objectContaining({ type: 'ScalingLimited', status: 'True', reason: 'ReadWriteOnceClaim', message: expect.stringContaining('memory-data') as unknown }),
    ]);
  });
});

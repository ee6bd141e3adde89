import { mcpServerSpecSchema, type McpServerSpec } from '../api/mcp-server.js';
import { planReplicas, writableClaims } from './replica-plan.js';

const spec = (raw: Record<string, unknown>): McpServerSpec => mcpServerSpecSchema.parse({ command: ['srv'], ...raw });
const withClaim = (raw: Record<string, unknown>, mount: Record<string, unknown> = {}): McpServerSpec =>
  spec({
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'memory-data' } }],
    volumeMounts: [{ name: 'data', mountPath: '/data', ...mount }],
    ...raw,
  });
const auto = { minReplicas: 2, maxReplicas: 5, targets: { inFlightRequestsPerPod: 4 } };

describe('planReplicas', () => {
  it('when nothing special is asked, then spec.replicas goes to the Deployment with a rolling update, a PDB above one pod', () => {
    expect(planReplicas(spec({ replicas: 1 }), new Map())).toEqual({ replicas: 1, strategy: 'RollingUpdate', singleWriterClaims: [], autoscale: false, disruptionBudget: false });
    expect(planReplicas(spec({ replicas: 3 }), new Map())).toEqual({ replicas: 3, strategy: 'RollingUpdate', singleWriterClaims: [], autoscale: false, disruptionBudget: true });
  });

  it('when autoscaling is on, then the HPA is wanted and the replicas it wrote are kept within [min, max]', () => {
    expect(planReplicas(spec({ replicas: 3, autoscaling: auto }), new Map())).toMatchObject({ replicas: 3, autoscale: true, disruptionBudget: true });
    expect(planReplicas(spec({ replicas: 1, autoscaling: auto }), new Map()).replicas).toBe(2);
    expect(planReplicas(spec({ replicas: 9, autoscaling: auto }), new Map()).replicas).toBe(5);
  });

  it('when the server writes to a ReadWriteOnce claim, then it is held at one pod, updated with Recreate, and says why', () => {
    const p = planReplicas(withClaim({ replicas: 3 }), new Map([['memory-data', ['ReadWriteOnce']]]));
    expect(p).toEqual({ replicas: 1, strategy: 'Recreate', singleWriterClaims: ['memory-data'], autoscale: false, disruptionBudget: false, limitedBy: { claims: ['memory-data'], asked: 3 } });
  });

  it('when the claim does not exist yet, then it counts as single-writer (safe until it is known)', () => {
    expect(planReplicas(withClaim({ replicas: 2 }), new Map([['memory-data', undefined]])).replicas).toBe(1);
  });

  it('when autoscaling meets a single-writer claim, then there is no HPA and the limit names maxReplicas', () => {
    const p = planReplicas(withClaim({ autoscaling: auto }), new Map([['memory-data', ['ReadWriteOnce']]]));
    expect(p).toMatchObject({ replicas: 1, autoscale: false, limitedBy: { asked: 5 } });
  });

  it('when the claim is ReadWriteMany, or mounted read-only, then replicas are free', () => {
    expect(planReplicas(withClaim({ replicas: 3 }), new Map([['memory-data', ['ReadWriteMany']]])).replicas).toBe(3);
    expect(planReplicas(withClaim({ replicas: 3 }, { readOnly: true }), new Map()).replicas).toBe(3);
  });

  it('when one pod is asked of a single-writer server, then nothing is reported as limited (but it still recreates)', () => {
    const p = planReplicas(withClaim({ replicas: 1 }), new Map([['memory-data', ['ReadWriteOnce']]]));
    expect(p.limitedBy).toBeUndefined();
    expect(p.strategy).toBe('Recreate');
  });
});

describe('writableClaims', () => {
  it('when volumes mix claims, config maps and read-only claims, then only writable claims are listed', () => {
    const s = spec({
      volumes: [
        { name: 'a', persistentVolumeClaim: { claimName: 'ca' } },
        { name: 'b', persistentVolumeClaim: { claimName: 'cb', readOnly: true } },
        { name: 'c', configMap: { name: 'x' } },
        { name: 'd', persistentVolumeClaim: { claimName: 'cd' } },
      ],
      volumeMounts: [
        { name: 'a', mountPath: '/a' },
        { name: 'b', mountPath: '/b' },
        { name: 'c', mountPath: '/c' },
        { name: 'd', mountPath: '/d', readOnly: true },
      ],
    });
    expect(writableClaims(s)).toEqual(['ca']);
  });
});

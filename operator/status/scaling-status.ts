// The Autoscaling and ScalingLimited conditions and status.autoscaling, from the HPA as observed and
// the replica plan. Pure.
import type { KubeObject } from '../api/kube-types.js';
import type { AutoscalingStatus, McpServer } from '../api/mcp-server.js';
import type { ReplicaPlan } from '../builders/replica-plan.js';
import type { DesiredCondition } from './compute-status.js';

export const CONDITION_AUTOSCALING = 'Autoscaling';
export const CONDITION_SCALING_LIMITED = 'ScalingLimited';

/** The parts of an autoscaling/v2 HPA's status we read (the informer gives plain JSON). */
export interface HpaView extends KubeObject {
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    lastScaleTime?: string | Date;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/**
 * Why the operator could not put an autoscaler in place for a spec that asks for one (a defined refusal,
 * shown as Autoscaling=False): bridge-metric targets need KEDA's ScaledObject (ADR 0106), and its
 * Prometheus triggers need an address.
 */
export interface AutoscalerBlocked {
  reason: 'KedaNotInstalled' | 'KedaForbidden' | 'PrometheusNotConfigured';
  message: string;
}

export interface ScalingPart {
  autoscaling?: AutoscalingStatus;
  conditions: DesiredCondition[];
}

const cond = (type: string, status: DesiredCondition['status'], reason: string, message: string, gen: number): DesiredCondition => ({
  type,
  status,
  reason,
  message,
  observedGeneration: gen,
});

function autoscalingCondition(hpa: HpaView | undefined, gen: number): DesiredCondition {
  const active = hpa?.status?.conditions?.find((c) => c.type === 'ScalingActive');
  if (active === undefined) return cond(CONDITION_AUTOSCALING, 'Unknown', 'AutoscalerPending', 'The HorizontalPodAutoscaler has not reported yet', gen);
  // ScalingActive=False is what an HPA says when it cannot get its metrics (FailedGetPodsMetric, ...).
  if (active.status !== 'True') {
    return cond(CONDITION_AUTOSCALING, 'False', active.reason ?? 'ScalingInactive', active.message ?? 'The autoscaler cannot compute a replica count', gen);
  }
  return cond(CONDITION_AUTOSCALING, 'True', 'ScalingActive', active.message ?? 'The autoscaler computes the replica count from its metrics', gen);
}

/**
 * @param hpa the HPA that scales the McpServer: the operator's own, or KEDA's for a ScaledObject.
 * @param blocked set when no autoscaler could be put in place.
 */
export function scalingPart(mcp: McpServer, plan: ReplicaPlan, hpa: HpaView | undefined, blocked?: AutoscalerBlocked): ScalingPart {
  const gen = mcp.metadata.generation;
  const conditions: DesiredCondition[] = [];
  let autoscaling: AutoscalingStatus | undefined;
  if (plan.autoscale && blocked !== undefined) {
    conditions.push(cond(CONDITION_AUTOSCALING, 'False', blocked.reason, blocked.message, gen));
  } else if (plan.autoscale) {
    conditions.push(autoscalingCondition(hpa, gen));
    const st = hpa?.status;
    if (st !== undefined) {
      const last = st.lastScaleTime;
      autoscaling = {
        ...(st.currentReplicas === undefined ? {} : { currentReplicas: st.currentReplicas }),
        ...(st.desiredReplicas === undefined ? {} : { desiredReplicas: st.desiredReplicas }),
        ...(last === undefined ? {} : { lastScaleTime: typeof last === 'string' ? last : last.toISOString() }),
      };
    }
  } else if (mcp.spec.autoscaling !== undefined) {
    conditions.push(cond(CONDITION_AUTOSCALING, 'False', 'SingleWriterData', 'Not autoscaled: its data has a single writer (see ScalingLimited)', gen));
  }
  if (plan.limitedBy !== undefined) {
    const { claims, asked } = plan.limitedBy;
    conditions.push(
      cond(
        CONDITION_SCALING_LIMITED,
        'True',
        'ReadWriteOnceClaim',
        `Held at 1 replica (asked for ${String(asked)}): claim ${claims.join(', ')} is not ReadWriteMany, and two pods would write the same data. Use a ReadWriteMany claim, or mount it readOnly.`,
        gen,
      ),
    );
  }
  return { ...(autoscaling === undefined ? {} : { autoscaling }), conditions };
}

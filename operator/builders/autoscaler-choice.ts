// Which autoscaler an McpServer gets (ADR 0106). Pure: the spec, the replica plan and what the cluster
// offers in, one answer out, used both for the children and for the status.
import type { McpServer } from '../api/mcp-server.js';
import type { AutoscalerBlocked } from '../status/scaling-status.js';
import type { ReplicaPlan } from './replica-plan.js';
import { usesBridgeMetrics } from './scaled-object.js';

/** What the operator knows of the cluster's autoscaling components (config and API discovery). */
export interface AutoscalingEnvironment {
  /**
   * keda.sh/v1alpha1 ScaledObject, as found once at operator start: served and ours to list ('installed'),
   * not served ('absent'), or served but our RBAC may not list it ('forbidden': a chart older than the operator).
   */
  keda: KedaAvailability;
  /** Prometheus for the ScaledObjects' triggers (--autoscaling-prometheus-url); '' = none. */
  prometheusUrl: string;
}

export type KedaAvailability = 'installed' | 'absent' | 'forbidden';

export type AutoscalerChoice =
  | { kind: 'none' }
  /** The operator's own HPA: CPU/memory targets only (metrics-server). */
  | { kind: 'hpa' }
  /** A KEDA ScaledObject (KEDA owns the HPA): some target is a bridge metric. */
  | { kind: 'scaledObject'; prometheusUrl: string }
  | { kind: 'blocked'; blocked: AutoscalerBlocked };

export function chooseAutoscaler(mcp: McpServer, plan: ReplicaPlan, env: AutoscalingEnvironment): AutoscalerChoice {
  const autoscaling = mcp.spec.autoscaling;
  if (!plan.autoscale || autoscaling === undefined) return { kind: 'none' };
  if (!usesBridgeMetrics(autoscaling.targets)) return { kind: 'hpa' };
  if (env.keda === 'forbidden') {
    return {
      kind: 'blocked',
      blocked: {
        reason: 'KedaForbidden',
        message:
          'Targets on bridge metrics need a KEDA ScaledObject, and the operator may not list scaledobjects.keda.sh: grant it (operator/rbac.yaml, the chart\'s ClusterRole) and restart the operator',
      },
    };
  }
  if (env.keda === 'absent') {
    return {
      kind: 'blocked',
      blocked: {
        reason: 'KedaNotInstalled',
        message:
          'Targets on bridge metrics (inFlightRequestsPerPod, sessionsPerPod) need KEDA (keda.sh/v1alpha1 ScaledObject), which this cluster does not serve: install KEDA and restart the operator, or use CPU/memory targets only',
      },
    };
  }
  if (env.prometheusUrl === '') {
    return {
      kind: 'blocked',
      blocked: {
        reason: 'PrometheusNotConfigured',
        message:
          'Targets on bridge metrics are read from Prometheus by KEDA, and the operator has no Prometheus address: set --autoscaling-prometheus-url (chart value autoscaling.prometheusUrl)',
      },
    };
  }
  return { kind: 'scaledObject', prometheusUrl: env.prometheusUrl };
}

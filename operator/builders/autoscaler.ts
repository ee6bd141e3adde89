// The HorizontalPodAutoscaler of an McpServer with spec.autoscaling, and its PodDisruptionBudget. Pure.
// The HPA scales the McpServer itself (its scale subresource), not the Deployment: `kubectl scale`, the
// HPA and the operator then agree on one number, spec.replicas (ADR 0105).
import { API_VERSION, KIND, METRIC_IN_FLIGHT, METRIC_SESSIONS } from '../api/constants.js';
import type { KubeObject } from '../api/kube-types.js';
import type { Autoscaling, McpServer } from '../api/mcp-server.js';
import { childLabels, ownerReference, selectorLabels } from './labels.js';

type MetricSpec = Record<string, unknown>;

const podsMetric = (name: string, average: number): MetricSpec => ({
  type: 'Pods',
  pods: { metric: { name }, target: { type: 'AverageValue', averageValue: String(average) } },
});
const resourceMetric = (name: 'cpu' | 'memory', percent: number): MetricSpec => ({
  type: 'Resource',
  resource: { name, target: { type: 'Utilization', averageUtilization: percent } },
});

/** The HPA's metrics, in a fixed order (same input, same bytes). */
export function autoscalerMetrics(targets: Autoscaling['targets']): MetricSpec[] {
  const metrics: MetricSpec[] = [];
  if (targets.inFlightRequestsPerPod !== undefined) metrics.push(podsMetric(METRIC_IN_FLIGHT, targets.inFlightRequestsPerPod));
  if (targets.sessionsPerPod !== undefined) metrics.push(podsMetric(METRIC_SESSIONS, targets.sessionsPerPod));
  if (targets.cpuUtilizationPercent !== undefined) metrics.push(resourceMetric('cpu', targets.cpuUtilizationPercent));
  if (targets.memoryUtilizationPercent !== undefined) metrics.push(resourceMetric('memory', targets.memoryUtilizationPercent));
  return metrics;
}

export function buildAutoscaler(mcp: McpServer, autoscaling: Autoscaling): KubeObject & { spec: Record<string, unknown> } {
  const { name, namespace } = mcp.metadata;
  const stabilization = autoscaling.scaleDownStabilizationSeconds;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace, labels: childLabels(name), ownerReferences: [ownerReference(mcp.metadata)] },
    spec: {
      scaleTargetRef: { apiVersion: API_VERSION, kind: KIND, name },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: autoscalerMetrics(autoscaling.targets),
      ...(stabilization === undefined ? {} : { behavior: { scaleDown: { stabilizationWindowSeconds: stabilization } } }),
    },
  };
}

/**
 * At most one pod of the McpServer voluntarily disrupted at a time (drains, node maintenance): its
 * clients' sessions move one pod at a time, and the others keep serving.
 */
export function buildDisruptionBudget(mcp: McpServer): KubeObject & { spec: Record<string, unknown> } {
  const { name, namespace } = mcp.metadata;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace, labels: childLabels(name), ownerReferences: [ownerReference(mcp.metadata)] },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(name) } },
  };
}

// The KEDA ScaledObject of an McpServer whose autoscaling targets include a bridge metric (ADR 0106). Pure.
// KEDA's metrics adapter serves the external metrics API that a Pods metric on the bridge's gauges would
// need from a custom-metrics adapter; KEDA then owns the HPA (kedaHpaName), still on the McpServer's scale
// subresource, so the replica hand-off of ADR 0105 is unchanged.
import { API_VERSION, KEDA_API_VERSION, KIND, METRIC_IN_FLIGHT, METRIC_SESSIONS, SCALED_OBJECT_KIND, kedaHpaName } from '../api/constants.js';
import type { KubeObject } from '../api/kube-types.js';
import type { Autoscaling, McpServer } from '../api/mcp-server.js';
import { childLabels, ownerReference } from './labels.js';

/** A bridge metric needs an external metrics API (KEDA); CPU and memory alone are metrics-server's (plain HPA). */
export const usesBridgeMetrics = (targets: Autoscaling['targets']): boolean =>
  targets.inFlightRequestsPerPod !== undefined || targets.sessionsPerPod !== undefined;

/**
 * The sum of a bridge gauge over this McpServer's pods, as Prometheus labels them (samples/prometheus's
 * relabelling and the Prometheus Operator's ServiceMonitors agree: namespace, service = the McpServer's
 * Service's name). With metricType AverageValue the HPA divides it by the pod count: the per-pod average
 * the target names. Names and namespaces are DNS labels: nothing to escape.
 */
export const bridgeMetricQuery = (metric: string, namespace: string, name: string): string =>
  `sum(${metric}{namespace="${namespace}",service="${name}"})`;

type Trigger = Record<string, unknown>;

const prometheusTrigger = (prometheusUrl: string, query: string, perPod: number): Trigger => ({
  type: 'prometheus',
  metricType: 'AverageValue',
  // ignoreNullValues: no series yet (a pod not scraped so far) counts as 0, not as an error.
  metadata: { serverAddress: prometheusUrl, query, threshold: String(perPod), ignoreNullValues: 'true' },
});
const resourceTrigger = (type: 'cpu' | 'memory', percent: number): Trigger => ({
  type,
  metricType: 'Utilization',
  metadata: { value: String(percent) },
});

/** The triggers, in the HPA builder's order (same input, same bytes). */
export function scaledObjectTriggers(mcp: McpServer, targets: Autoscaling['targets'], prometheusUrl: string): Trigger[] {
  const { name, namespace } = mcp.metadata;
  const triggers: Trigger[] = [];
  if (targets.inFlightRequestsPerPod !== undefined) {
    triggers.push(prometheusTrigger(prometheusUrl, bridgeMetricQuery(METRIC_IN_FLIGHT, namespace, name), targets.inFlightRequestsPerPod));
  }
  if (targets.sessionsPerPod !== undefined) {
    triggers.push(prometheusTrigger(prometheusUrl, bridgeMetricQuery(METRIC_SESSIONS, namespace, name), targets.sessionsPerPod));
  }
  if (targets.cpuUtilizationPercent !== undefined) triggers.push(resourceTrigger('cpu', targets.cpuUtilizationPercent));
  if (targets.memoryUtilizationPercent !== undefined) triggers.push(resourceTrigger('memory', targets.memoryUtilizationPercent));
  return triggers;
}

export function buildScaledObject(mcp: McpServer, autoscaling: Autoscaling, prometheusUrl: string): KubeObject & { spec: Record<string, unknown> } {
  const { name, namespace } = mcp.metadata;
  const stabilization = autoscaling.scaleDownStabilizationSeconds;
  return {
    apiVersion: KEDA_API_VERSION,
    kind: SCALED_OBJECT_KIND,
    // KEDA copies these labels onto its HPA: the operator's informer (managed-by selector) sees it and maps
    // it to this McpServer by the server label.
    metadata: { name, namespace, labels: childLabels(name), ownerReferences: [ownerReference(mcp.metadata)] },
    spec: {
      scaleTargetRef: { apiVersion: API_VERSION, kind: KIND, name },
      minReplicaCount: autoscaling.minReplicas,
      maxReplicaCount: autoscaling.maxReplicas,
      advanced: {
        horizontalPodAutoscalerConfig: {
          name: kedaHpaName(name),
          ...(stabilization === undefined ? {} : { behavior: { scaleDown: { stabilizationWindowSeconds: stabilization } } }),
        },
      },
      triggers: scaledObjectTriggers(mcp, autoscaling.targets, prometheusUrl),
    },
  };
}

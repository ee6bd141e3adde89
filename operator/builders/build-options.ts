/** Operator-level inputs of the builders (from config.ts); part of "same input → same output". */
export interface BuildOptions {
  bridgeImage: string;
  bridgeImagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** Put prometheus.io/scrape|port|path on bridged pods (--bridge-metrics-annotations). */
  bridgeMetricsAnnotations: boolean;
  /** OTEL_EXPORTER_OTLP_ENDPOINT for every bridge (--bridge-otlp-endpoint); absent or '' = not set. */
  bridgeOtlpEndpoint?: string;
  /** The operator's own namespace (POD_NAMESPACE): NetworkPolicies let its MCP probe in. Absent out of cluster. */
  operatorNamespace?: string;
}

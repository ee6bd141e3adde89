#!/usr/bin/env bash
# Runs an OpenTelemetry Collector (image localhost/mcp-otelcol:local, built by hack/images.sh from the
# Collector Builder's output) in one namespace, receiving OTLP/HTTP on Service otel-collector:4318 and
# writing the spans to a file in the pod (samples/otelcol/config.yaml). A sample, not a tracing backend.
# Idempotent; waits until it is ready, then prints the OTLP endpoint the bridges use (the chart value
# telemetry.otlpEndpoint): http://otel-collector.<ns>.svc.cluster.local:4318
#
#   samples/otelcol/apply.sh [NAMESPACE]     (default monitoring)
# Env: KUBECTL, MCP_OTELCOL_IMAGE (default localhost/mcp-otelcol:local).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ns="${1:-monitoring}"
kubectl="${KUBECTL:-kubectl}"
image="${MCP_OTELCOL_IMAGE:-localhost/mcp-otelcol:local}"

"${kubectl}" create namespace "${ns}" --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
"${kubectl}" label namespace "${ns}" --overwrite \
  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest >/dev/null
"${kubectl}" -n "${ns}" create configmap otel-collector-config --from-file=config.yaml="${here}/config.yaml" \
  --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
config_hash="$(cksum < "${here}/config.yaml" | cut -d' ' -f1)"
"${kubectl}" apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: { name: otel-collector, namespace: ${ns}, labels: { app.kubernetes.io/name: otel-collector } }
spec:
  replicas: 1
  selector: { matchLabels: { app.kubernetes.io/name: otel-collector } }
  template:
    metadata:
      labels: { app.kubernetes.io/name: otel-collector }
      annotations: { mcp.sidecar.dev/otelcol-config: "${config_hash}" }
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65534
        runAsGroup: 65534
        fsGroup: 65534
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: otelcol
          image: ${image}
          imagePullPolicy: IfNotPresent
          args: [--config=/etc/otelcol/config.yaml]
          ports: [{ name: otlp-http, containerPort: 4318, protocol: TCP }]
          # The OTLP receiver answers once the pipeline is up (a GET is a 405, which is still "up").
          readinessProbe:
            tcpSocket: { port: otlp-http }
            periodSeconds: 2
          resources:
            requests: { cpu: 20m, memory: 64Mi }
            limits: { memory: 512Mi }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
          volumeMounts:
            - { name: config, mountPath: /etc/otelcol, readOnly: true }
            - { name: data, mountPath: /var/lib/otelcol }
      volumes:
        - { name: config, configMap: { name: otel-collector-config } }
        - { name: data, emptyDir: { sizeLimit: 256Mi } }
---
apiVersion: v1
kind: Service
metadata: { name: otel-collector, namespace: ${ns}, labels: { app.kubernetes.io/name: otel-collector } }
spec:
  selector: { app.kubernetes.io/name: otel-collector }
  ports: [{ name: otlp-http, port: 4318, targetPort: otlp-http, protocol: TCP }]
YAML
"${kubectl}" -n "${ns}" rollout status deploy/otel-collector --timeout=180s >/dev/null
echo "http://otel-collector.${ns}.svc.cluster.local:4318"

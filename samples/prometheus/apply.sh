#!/usr/bin/env bash
# Runs Prometheus (image localhost/mcp-prometheus:local: Debian's prometheus, built by hack/images.sh) in
# one namespace, scraping every annotated pod of the cluster (samples/prometheus/prometheus.yml), with a
# ClusterRole to list/watch pods. Data on an emptyDir (lost with the pod): a sample, not a production
# monitoring stack. Idempotent; waits until Prometheus is ready, then prints its URL (the Service's
# ClusterIP: the local cluster routes it from this machine; in the cluster:
# http://prometheus.<ns>.svc.cluster.local:9090).
#
#   samples/prometheus/apply.sh [NAMESPACE]    (default monitoring; the `monitoring` McpServer sample
#                                               points at http://prometheus.monitoring.svc.cluster.local:9090)
# Env: KUBECTL, MCP_PROMETHEUS_IMAGE (default localhost/mcp-prometheus:local).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ns="${1:-monitoring}"
kubectl="${KUBECTL:-kubectl}"
image="${MCP_PROMETHEUS_IMAGE:-localhost/mcp-prometheus:local}"
# One ClusterRole(Binding) per namespace, so two of these in one cluster do not take each other's.
crb="mcp-sample-prometheus-${ns}"

"${kubectl}" create namespace "${ns}" --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
"${kubectl}" label namespace "${ns}" --overwrite \
  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest >/dev/null
"${kubectl}" -n "${ns}" create configmap prometheus-config --from-file=prometheus.yml="${here}/prometheus.yml" \
  --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
# The pod rolls when the configuration changes (Prometheus reads it once at start).
config_hash="$(cksum < "${here}/prometheus.yml" | cut -d' ' -f1)"
"${kubectl}" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: { name: prometheus, namespace: ${ns} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: ${crb}, labels: { app.kubernetes.io/part-of: mcp-sidecar-samples } }
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: ${crb}, labels: { app.kubernetes.io/part-of: mcp-sidecar-samples } }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${crb} }
subjects:
  - { kind: ServiceAccount, name: prometheus, namespace: ${ns} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: prometheus, namespace: ${ns}, labels: { app.kubernetes.io/name: prometheus } }
spec:
  replicas: 1
  # One TSDB per pod: never two writers, and a new pod only after the old one is gone.
  strategy: { type: Recreate }
  selector: { matchLabels: { app.kubernetes.io/name: prometheus } }
  template:
    metadata:
      labels: { app.kubernetes.io/name: prometheus }
      annotations: { mcp.sidecar.dev/prometheus-config: "${config_hash}" }
    spec:
      serviceAccountName: prometheus
      enableServiceLinks: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65534
        runAsGroup: 65534
        fsGroup: 65534
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: prometheus
          image: ${image}
          imagePullPolicy: IfNotPresent
          args:
            - --config.file=/etc/prometheus/prometheus.yml
            - --storage.tsdb.path=/prometheus
            - --storage.tsdb.retention.time=2d
            - --web.listen-address=:9090
          ports: [{ name: http, containerPort: 9090, protocol: TCP }]
          readinessProbe:
            httpGet: { path: /-/ready, port: http }
            periodSeconds: 2
          livenessProbe:
            httpGet: { path: /-/healthy, port: http }
            periodSeconds: 10
          resources:
            requests: { cpu: 50m, memory: 128Mi }
            limits: { memory: 1Gi }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
          volumeMounts:
            - { name: config, mountPath: /etc/prometheus, readOnly: true }
            - { name: data, mountPath: /prometheus }
      volumes:
        - { name: config, configMap: { name: prometheus-config } }
        - { name: data, emptyDir: { sizeLimit: 2Gi } }
---
apiVersion: v1
kind: Service
metadata: { name: prometheus, namespace: ${ns}, labels: { app.kubernetes.io/name: prometheus } }
spec:
  selector: { app.kubernetes.io/name: prometheus }
  ports: [{ name: http, port: 9090, targetPort: http, protocol: TCP }]
YAML
"${kubectl}" -n "${ns}" rollout status deploy/prometheus --timeout=180s >/dev/null
echo "http://$("${kubectl}" -n "${ns}" get svc prometheus -o jsonpath='{.spec.clusterIP}'):9090"

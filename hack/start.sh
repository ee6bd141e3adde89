#!/usr/bin/env bash
# `npm start`: the whole system on this machine, from nothing or from where it was.
#   1. the local cluster (hack/cluster-up.sh; idempotent, ~1 s when it already runs)
#   2. the images (hack/images.sh: built with buildah, imported into the cluster; cached layers)
#   3. the chart (CRDs with kubectl apply, since Helm never upgrades CRDs; then helm upgrade --install), with
#      every bridge's traces going to an OpenTelemetry Collector (samples/otelcol/apply.sh) in namespace monitoring
#   4. Prometheus (samples/prometheus/apply.sh) in namespace monitoring, scraping the operator and every bridge
#   5. the samples (samples/apply.sh) in namespace ${MCP_SAMPLES_NAMESPACE:-mcp-samples}, PodSecurity restricted
#   6. waits until every McpServer is Ready, then prints their URLs, Prometheus's, and a LiteLLM mcp_servers: block.
# Needs root (the cluster scripts do). Stop it all with `npm stop` (hack/stop.sh).
# Env: MCP_SAMPLES_NAMESPACE, MCP_START_SKIP_IMAGES=1 (use the images already imported).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=hack/lib/common.sh
. hack/lib/common.sh   # MCP_CACHE_DIR, BIN_CACHE, MCP_CLUSTER_DIR: the one place for those paths
ns="${MCP_SAMPLES_NAMESPACE:-mcp-samples}"
release=mcp-sidecar-operator
sysns=mcp-system
t0=${SECONDS}
timings=()
phase() { timings+=("$(printf '%-10s %4ss' "$1" "$((SECONDS - $2))")"); }
say() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

say "cluster (hack/cluster-up.sh)"
t=${SECONDS}
eval "$(bash hack/cluster-up.sh | tail -1)"
export KUBECONFIG
export PATH="${BIN_CACHE}/current:${PATH}"
phase cluster "${t}"

# What images.sh imported last (its stamp files): pods keep the image they started with, so the ones
# whose image changed under the same tag are restarted below.
stamp() { cat "/var/lib/mcp-sidecar-cluster/images/$1.imported" 2>/dev/null || true; }
bridge_before="$(stamp bridge)"; operator_before="$(stamp operator)"
if [ "${MCP_START_SKIP_IMAGES:-}" != 1 ]; then
  say "images (hack/images.sh)"
  t=${SECONDS}
  bash hack/images.sh
  phase images "${t}"
fi

say "chart ${release} in ${sysns}"
t=${SECONDS}
kubectl apply --validate=warn -f charts/mcp-sidecar-operator/crds/ >/dev/null   # warn, like helm install
kubectl wait --for=condition=Established --timeout=60s crd/mcpservers.mcp.sidecar.dev >/dev/null
# The bridges' traces go to the collector in namespace monitoring (chart value telemetry.otlpEndpoint).
otlp_endpoint="$(bash samples/otelcol/apply.sh monitoring | tail -1)"
helm upgrade --install "${release}" charts/mcp-sidecar-operator -n "${sysns}" --create-namespace --skip-crds \
  --set "telemetry.otlpEndpoint=${otlp_endpoint}" --wait --timeout 180s >/dev/null
if [ "$(stamp operator)" != "${operator_before}" ]; then kubectl -n "${sysns}" rollout restart "deploy/${release}" >/dev/null; fi
kubectl -n "${sysns}" rollout status "deploy/${release}" --timeout=120s >/dev/null
phase chart "${t}"

say "Prometheus in namespace monitoring"
t=${SECONDS}
# The monitoring sample's PROMETHEUS_URL (samples/servers.json) names this namespace.
prometheus_url="$(bash samples/prometheus/apply.sh monitoring | tail -1)"
phase prometheus "${t}"

say "samples in namespace ${ns}"
t=${SECONDS}
bash samples/apply.sh "${ns}" >&2
if [ "$(stamp bridge)" != "${bridge_before}" ]; then kubectl -n "${ns}" rollout restart deploy >/dev/null; fi
kubectl -n "${ns}" rollout status deploy/postgres-db --timeout=300s >/dev/null
if ! kubectl -n "${ns}" wait --for=condition=Ready mcpserver --all --timeout=300s >/dev/null; then
  kubectl -n "${ns}" get mcp -o wide >&2
  echo "start.sh: not every McpServer became Ready within 300 s (kubectl -n ${ns} describe mcp; kubectl -n ${ns} logs deploy/<name>)" >&2
  exit 1
fi
phase samples "${t}"

say "ready in $((SECONDS - t0)) s"
printf '%s\n' "${timings[@]}" >&2
echo
kubectl -n "${ns}" get mcp
echo
echo "# From this machine (Service ClusterIPs are routed to the cluster); in the cluster use the URL column above."
echo "# LiteLLM config.yaml:"
echo "mcp_servers:"
# shellcheck disable=SC2016  # JavaScript in single quotes: its $ are not the shell's
kubectl -n "${ns}" get mcp -o json | node -e '
  const items = JSON.parse(require("fs").readFileSync(0, "utf8")).items;
  const { execFileSync } = require("child_process");
  for (const m of items) {
    const svc = JSON.parse(execFileSync("kubectl", ["-n", m.metadata.namespace, "get", "svc", m.metadata.name, "-o", "json"]));
    const url = new URL(m.status.url);
    const key = m.metadata.name.replace(/-/g, "_");
    console.log(`  ${key}:`);
    console.log(`    url: http://${svc.spec.clusterIP}:${svc.spec.ports[0].port}${url.pathname}   # in cluster: ${m.status.url}`);
    console.log(`    transport: http`);
    // Bridged servers serve 2026-07-28 (one POST per call); a server speaking HTTP itself may not.
    if (m.spec.transport !== "streamable-http") console.log(`    protocol_version: "2026-07-28"`);
  }'
echo
echo "# Legacy SSE clients: replace /mcp by /sse (not for everything-http, which speaks Streamable HTTP only)."
echo "# Prometheus (scrapes the operator and every bridge; the chart's dashboard queries work on it): ${prometheus_url}"
echo "# OpenTelemetry Collector (every bridge's spans, OTLP/HTTP): ${otlp_endpoint}; the spans: kubectl -n monitoring exec deploy/otel-collector -- cat /var/lib/otelcol/traces.jsonl"
echo "#   in cluster: http://prometheus.monitoring.svc.cluster.local:9090; ask it over MCP through the monitoring sample."
echo "# Stop everything: npm stop"

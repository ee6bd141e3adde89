#!/usr/bin/env bash
# `npm stop`: undoes `npm start`: uninstalls the chart, deletes the samples' namespace and PersistentVolume
# and Prometheus's namespace (monitoring),
# then stops the local cluster (hack/cluster-down.sh, which removes everything cluster-up added).
#   hack/stop.sh                  all of it
#   hack/stop.sh --keep-cluster   only the chart and the samples
# The samples' hostPath data (/var/lib/mcp-sidecar-samples) and the build caches stay.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=hack/lib/common.sh
. hack/lib/common.sh   # MCP_CACHE_DIR, BIN_CACHE, MCP_CLUSTER_DIR: the one place for those paths
ns="${MCP_SAMPLES_NAMESPACE:-mcp-samples}"
kubeconfig="${MCP_CLUSTER_DIR}/admin.kubeconfig"
export PATH="${BIN_CACHE}/current:${PATH}"
if [ -s "${kubeconfig}" ] && KUBECONFIG="${kubeconfig}" kubectl get --raw /readyz >/dev/null 2>&1; then
  export KUBECONFIG="${kubeconfig}"
  # McpServers first, while the operator still runs: garbage collection then removes their children.
  kubectl delete namespace "${ns}" --ignore-not-found --timeout=120s
  kubectl delete pv "mcp-samples-memory-${ns}" --ignore-not-found
  kubectl delete namespace monitoring --ignore-not-found --timeout=120s
  kubectl delete clusterrolebinding,clusterrole mcp-sample-prometheus-monitoring --ignore-not-found
  helm uninstall mcp-sidecar-operator -n mcp-system --wait --timeout 120s 2>/dev/null || true
  kubectl delete namespace mcp-system --ignore-not-found --timeout=120s
else
  echo "stop.sh: the local cluster is not running; nothing to uninstall" >&2
fi
if [ "${1:-}" != --keep-cluster ]; then
  bash hack/cluster-down.sh
fi

#!/usr/bin/env bash
# The e2e suite on kind, for machines that reach a container registry and have Docker (Linux).
# NOT run in this project's own CI machine (no registry there; it uses hack/cluster-up.sh instead), so
# treat it as a recipe that has not been exercised end to end: see docs/e2e.md.
#
#   hack/kind-e2e.sh            create (or reuse) kind cluster "mcp-e2e", build + load images, run the e2e
#   KIND_KEEP=1 hack/kind-e2e.sh   keep the cluster afterwards (default: delete it)
#
# Needs: docker, kind, kubectl, helm on PATH, Node >= 20 (npm ci), Go (agent/build.sh), root or sudo for
# `ip route` (the suite talks to Service ClusterIPs and pod IPs from the host, like on the local cluster:
# routes to kind's service and pod ranges via the node container make that work on Linux).
set -euo pipefail
cd "$(dirname "$0")/.."
name="${KIND_CLUSTER:-mcp-e2e}"
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo

kind get clusters 2>/dev/null | grep -qx "${name}" || kind create cluster --name "${name}" --wait 120s
export KUBECONFIG; KUBECONFIG="$(mktemp)"; kind get kubeconfig --name "${name}" > "${KUBECONFIG}"
cleanup() {
  rm -f "${KUBECONFIG}"
  if [ "${KIND_KEEP:-}" != 1 ]; then
    ${sudo} ip route del 10.96.0.0/16 2>/dev/null || true; ${sudo} ip route del 10.244.0.0/16 2>/dev/null || true
    kind delete cluster --name "${name}"
  fi
}
trap cleanup EXIT

# Build what the images copy (dist/, the static agent), then the images, with the Dockerfiles' default
# registry bases (node:20-bookworm-slim, debian:bookworm-slim), under the tags the chart and samples use.
[ -d node_modules ] || npm ci
npm run -s build
(cd agent && bash build.sh)
docker build -f images/bridge/Dockerfile -t localhost/mcp-bridge:local .
docker build -f images/operator/Dockerfile -t localhost/mcp-operator:local .
docker build -f images/test-servers/Dockerfile -t localhost/mcp-test-servers:local .
docker build -t localhost/mcp-postgres:local images/postgres
for i in mcp-bridge mcp-operator mcp-test-servers mcp-postgres; do
  kind load docker-image --name "${name}" "localhost/${i}:local"
done

# Host → ClusterIP and pod IP, through the node container (kind's defaults: services 10.96.0.0/16 of
# 10.96.0.0/12, pods 10.244.0.0/16). kube-proxy masquerades traffic from outside the cluster CIDR.
node_ip="$(docker inspect -f '{{.NetworkSettings.Networks.kind.IPAddress}}' "${name}-control-plane")"
${sudo} ip route replace 10.96.0.0/16 via "${node_ip}"
${sudo} ip route replace 10.244.0.0/16 via "${node_ip}"

# kind has a default StorageClass ("standard", local-path): the memory sample's PVC uses it.
export MCP_SAMPLES_STORAGE_CLASS="${MCP_SAMPLES_STORAGE_CLASS:-standard}"
KUBECTL="$(command -v kubectl)" HELM="$(command -v helm)" bash test/e2e/run.sh "$@"

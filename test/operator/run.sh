#!/usr/bin/env bash
# The operator's full-cluster tier (jest project `operator-cluster`, test/operator/cluster/): the few
# operator tests that need pods to run (kubelet, containerd, CNI, Services that route), the operator
# in-process against the cluster in KUBECONFIG. The rest of the operator tests need only a control plane
# and start their own (`npm run test:operator`, docs/operator.md#tests).
# The tests own their namespaces and count the writes of the operators they start, so an operator that
# is already running in the cluster (the chart installed by `npm start` or an earlier e2e run watches
# every namespace) would act in them too. Such operators are scaled to 0 for the tier and restored after.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/lib/common.sh
. hack/lib/common.sh   # MCP_CACHE_DIR, BIN_CACHE, MCP_CLUSTER_DIR: the one place for those paths
: "${KUBECONFIG:?KUBECONFIG must point at the cluster (hack/cluster-up.sh prints it)}"
kubectl_bin="${KUBECTL:-$( [ -x "${BIN_CACHE}/current/kubectl" ] && echo "${BIN_CACHE}/current/kubectl" || echo kubectl)}"
selector='app.kubernetes.io/part-of=mcp-sidecar-operator,app.kubernetes.io/component=operator'

paused=()
restore() {
  local entry
  for entry in "${paused[@]}"; do
    echo "operator tier: restoring ${entry%%=*} to ${entry#*=} replica(s)" >&2
    "${kubectl_bin}" scale -n "${entry%%/*}" "deployment/$(cut -d/ -f2 <<<"${entry%%=*}")" --replicas="${entry#*=}" >/dev/null || true
  done
}
trap restore EXIT
while read -r ns name replicas; do
  [ -n "${ns}" ] || continue
  [ "${replicas}" = 0 ] && continue
  echo "operator tier: pausing the in-cluster operator ${ns}/${name} (${replicas} replica(s)) while the tests run" >&2
  paused+=("${ns}/${name}=${replicas}")
  "${kubectl_bin}" scale -n "${ns}" "deployment/${name}" --replicas=0 >/dev/null
  "${kubectl_bin}" wait -n "${ns}" --for=delete pod -l "${selector}" --timeout=120s >/dev/null
done < <("${kubectl_bin}" get deployments -A -l "${selector}" -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.name} {.spec.replicas}{"\n"}{end}')

node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects operator-cluster --runInBand "$@"

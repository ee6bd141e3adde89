#!/usr/bin/env bash
# The chaos tier (npm run test:chaos; not in `npm test`: it restarts the local cluster's components five
# times, ~10-15 min). Needs the local cluster (hack/cluster-up.sh, root) and the images (hack/images.sh);
# installs the chart and the samples like the e2e. Figures: E2E_FIGURES_DIR=<dir> writes chaos.json.
#
#   bash test/chaos/run.sh [jest args]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/lib/common.sh
. hack/lib/common.sh   # MCP_CACHE_DIR, BIN_CACHE, MCP_CLUSTER_DIR: the one place for those paths
eval "$(bash hack/cluster-up.sh | tail -1)"
export KUBECONFIG
kubectl_bin="${BIN_CACHE}/current/kubectl"
ns="${E2E_NAMESPACE:-mcp-e2e}"
# An e2e run just before deletes its namespace without waiting: samples applied into it while it is
# Terminating would be lost (test/e2e/run.sh waits the same way).
if [ "$("${kubectl_bin}" get namespace "${ns}" -o jsonpath='{.status.phase}' 2>/dev/null || true)" = Terminating ]; then
  "${kubectl_bin}" wait --for=delete "namespace/${ns}" --timeout=300s >/dev/null
fi
exec node --experimental-vm-modules node_modules/jest/bin/jest.js -c test/e2e/jest.config.js --selectProjects chaos --runInBand --verbose "$@"

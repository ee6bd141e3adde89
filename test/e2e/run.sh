#!/usr/bin/env bash
# The e2e suite against any cluster in KUBECONFIG: installs the chart (CRDs server-side applied, then
# helm upgrade --install), runs Prometheus (samples/prometheus/), applies the samples in a
# PodSecurity-restricted namespace, drives every sample
# with real clients through its Service, then scales, kills, rolls and deletes a McpServer of its own.
# Prints "N passed, M failed"; exits non-zero on any failure.
#
#   KUBECONFIG=... test/e2e/run.sh [jest args, e.g. -t 'postgres']
#
# Env: E2E_NAMESPACE (mcp-e2e), E2E_SYSTEM_NAMESPACE (mcp-system), E2E_RELEASE (mcp-sidecar-operator),
#      E2E_HELM_ARGS (extra helm args, e.g. image overrides), E2E_SKIP_INSTALL=1 (use what is installed),
#      E2E_KEEP=1 (keep the namespace afterwards), E2E_MONITORING_NAMESPACE (monitoring: where
#      samples/prometheus/apply.sh runs Prometheus; kept afterwards, `npm start` uses the same one),
#      KUBECTL, HELM (binaries; default: the local cluster's, else PATH), MCP_SAMPLES_STORAGE_CLASS
#      (see samples/apply.sh).
# Needs: the images in the cluster (local cluster: hack/images.sh), node_modules, and for the Python
# client .venv (hack/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/lib/common.sh
. hack/lib/common.sh   # MCP_CACHE_DIR, BIN_CACHE, MCP_CLUSTER_DIR: the one place for those paths
: "${KUBECONFIG:?KUBECONFIG must point at the cluster under test}"
export KUBECONFIG
kubectl_bin="${KUBECTL:-$( [ -x "${BIN_CACHE}/current/kubectl" ] && echo "${BIN_CACHE}/current/kubectl" || echo kubectl)}"
ns="${E2E_NAMESPACE:-mcp-e2e}"
out="$(mktemp -d)"
trap 'rm -rf "${out}"' EXIT
t0=${SECONDS}
# The last run deletes its namespace without waiting; samples applied into a namespace that is still
# Terminating are deleted under the suite ("object has been deleted"). Wait for it to be gone first.
if [ "$("${kubectl_bin}" get namespace "${ns}" -o jsonpath='{.status.phase}' 2>/dev/null || true)" = Terminating ]; then
  echo "waiting for namespace ${ns} (deleted by the previous run) to be gone" >&2
  "${kubectl_bin}" wait --for=delete "namespace/${ns}" --timeout=300s >/dev/null
fi
set +e
node --experimental-vm-modules node_modules/jest/bin/jest.js -c test/e2e/jest.config.js --selectProjects e2e \
  --runInBand --verbose --json --outputFile "${out}/result.json" "$@"
rc=$?
set -e
if [ -s "${out}/result.json" ]; then
  # shellcheck disable=SC2016  # JavaScript in single quotes: its $ are not the shell's
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const f of r.testResults) for (const t of f.assertionResults)
      if (t.status === "failed") console.log(`FAILED: ${t.ancestorTitles.join(" > ")} > ${t.title}`);
    const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
    console.log(`\n${r.numPassedTests} passed, ${failed} failed${r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""} (e2e, ${process.argv[2]} s)`);
  ' "${out}/result.json" "$((SECONDS - t0))"
else
  echo "0 passed, 1 failed (jest produced no result; exit ${rc})"
  rc=1
fi
if [ "${E2E_KEEP:-}" != 1 ] && [ "${rc}" = 0 ]; then
  "${kubectl_bin}" delete namespace "${ns}" --ignore-not-found --wait=false >/dev/null || true
fi
exit "${rc}"

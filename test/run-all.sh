#!/usr/bin/env bash
# The one test command (README: `npm test`). Runs every tier in order and stops at the first failure.
# Tiers that need a cluster bring it up through hack/ themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
# Go (agent, local cluster build) lives in /usr/local/go on this machine kind; a CI environment with a
# trimmed PATH still finds it.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:${PATH}"; fi

# Each tier is one "step"; the last line says how many tiers passed (CI reads it).
passed=0
current=""
step() {
  if [ -n "$current" ]; then passed=$((passed + 1)); fi
  current="$*"
  printf '\n=== %s ===\n' "$*"
}
summary() {
  local rc=$? failed=0
  if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); else failed=1; echo "failed tier: $current"; fi
  echo "tiers: $passed passed, $failed failed"
}
trap summary EXIT

step "setup";       bash hack/setup.sh
step "typecheck";   npx tsc -p tsconfig.json --noEmit
# ESLint + shellcheck, and the JavaScript tools (.mjs) type-checked from their JSDoc (tsconfig.mjs.json;
# needs no build).
step "lint";        npm run -s lint && npm run -s typecheck:mjs
step "build";       npm run -s build
step "agent (Go)";  (cd agent && go vet ./... && go test -count=1 ./...) && bash agent/build.sh
step "unit";        npm run -s test:unit
step "integration"; npm run -s test:integration
# The operator against a control plane of its own (etcd, kube-apiserver, kube-controller-manager started
# by the tests in a temp dir: no cluster, no lock). Its binaries are the cluster's (cached: seconds).
step "operator (control plane)"; bash hack/build-binaries.sh && npm run -s test:operator
step "conformance (SDK reference)"; test/conformance/bridge.sh reference
step "conformance (bridge)";        test/conformance/bridge.sh
step "conformance (bridge shared)"; BRIDGE_ARGS="--session-mode shared" test/conformance/bridge.sh
# Suite 0.2.x, exactly what each revision requires, at its own wire (~10-20 s each; baselines per target).
step "conformance 2026-07-28 (SDK v2 reference)"; CONFORMANCE_REQUIREMENTS=2026-07-28 test/conformance/bridge.sh reference-v2
step "conformance 2025-11-25 (SDK v2 reference)"; CONFORMANCE_REQUIREMENTS=2025-11-25 test/conformance/bridge.sh reference-v2
# --modern-warm 2: the suite reads some answers for 0.5 s only, right after it abandoned an MRTR round
# (whose worker stays parked); a request that has to wait for a cold worker start (~0.6 s on a loaded
# machine) misses that window.
step "conformance 2026-07-28 (bridge)";           CONFORMANCE_REQUIREMENTS=2026-07-28 BRIDGE_ARGS="--modern-warm 2" test/conformance/bridge.sh
step "conformance 2026-07-28 (bridge shared)";    CONFORMANCE_REQUIREMENTS=2026-07-28 BRIDGE_ARGS="--session-mode shared" test/conformance/bridge.sh
step "conformance 2025-11-25 (bridge)";           CONFORMANCE_REQUIREMENTS=2025-11-25 test/conformance/bridge.sh
step "conformance 2025-11-25 (bridge shared)";    CONFORMANCE_REQUIREMENTS=2025-11-25 BRIDGE_ARGS="--session-mode shared" test/conformance/bridge.sh
# The Kubernetes tiers run on the local cluster that hack/ builds from upstream (root; cold first build
# ~15-25 min, then seconds). KUBECONFIG comes from cluster-up's last line.
step "cluster up";                    eval "$(bash hack/cluster-up.sh | tail -1)"
# After cluster-up: its helm lints the chart.
step "chart + samples (static)";      npm run -s test:static
step "cluster acceptance";            bash test/cluster/cluster.test.sh
# Images before the operator's cluster tier: its tests run pods from the node image (a fresh machine
# has none imported yet).
step "images";                        bash hack/images.sh
step "operator (full cluster: pods)"; npm run -s test:operator:cluster
step "e2e (chart, samples, clients)"; bash test/e2e/run.sh
step "cluster down + warm up";        bash test/cluster/down.test.sh
# compose.yaml on a real Docker engine (started and stopped here if none runs; no iptables changes, so
# the cluster left running above is not disturbed).
step "compose (Docker engine)";       bash test/compose/run.sh

#!/usr/bin/env bash
# The one test command (README: `npm test`). Runs every tier in order and stops at the first failure.
# Tiers that need a cluster bring it up through hack/ themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

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
step "lint";        npx eslint .
step "build";       npm run -s build
step "unit";        npm run -s test:unit
step "integration"; npm run -s test:integration
step "conformance (SDK reference)"; test/conformance/bridge.sh reference
step "conformance (bridge)";        test/conformance/bridge.sh
step "conformance (bridge shared)"; BRIDGE_ARGS="--session-mode shared" test/conformance/bridge.sh

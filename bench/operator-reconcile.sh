#!/usr/bin/env bash
# Compiles the operator and the benchmark into .cache/op-bench (git-ignored; leaves dist/ alone) and runs
# bench/operator-reconcile.ts against $KUBECONFIG. Env: N (1000), IDLE (60), CONCURRENCY (32), WORKERS (8).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${KUBECONFIG:?set KUBECONFIG, e.g. eval \"\$(hack/cluster-up.sh | tail -1)\"}"
out=.cache/op-bench
rm -rf "$out"
# Only the operator and the bench (not the whole project), so others' work in progress cannot block it.
npx tsc --target ES2022 --module NodeNext --moduleResolution NodeNext --strict --skipLibCheck --esModuleInterop \
  --resolveJsonModule --types node --rootDir . --outDir "$out" operator/main.ts bench/operator-reconcile.ts
node "$out/bench/operator-reconcile.js"

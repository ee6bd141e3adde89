#!/usr/bin/env bash
# Compiles the operator and the benchmark into .cache/op-bench (git-ignored; leaves dist/ alone) and runs
# bench/operator-reconcile.ts on a private control plane it starts and removes (etcd, kube-apiserver,
# kube-controller-manager from hack/'s binaries: test/lib/control-plane/), or with USE_KUBECONFIG=1 on the
# cluster in $KUBECONFIG. Env: N (1000), IDLE (60), CONCURRENCY (32), WORKERS (8), USE_KUBECONFIG.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/op-bench
rm -rf "$out"
# Only the operator and the bench (not the whole project), so others' work in progress cannot block it.
npx tsc --target ES2022 --module NodeNext --moduleResolution NodeNext --strict --skipLibCheck --esModuleInterop \
  --resolveJsonModule --types node --rootDir . --outDir "$out" operator/main.ts bench/operator-reconcile.ts
# operator/main.ts reads its version from ../../package.json, relative to dist/operator/main.js; compiled
# here it is one level deeper, under .cache/.
ln -sf ../package.json .cache/package.json
node "$out/bench/operator-reconcile.js"

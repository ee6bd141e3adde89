#!/usr/bin/env bash
# hack/cluster-down.sh leaves nothing behind, and a warm hack/cluster-up.sh brings the cluster back.
#   1. brings the cluster up (if needed) and runs a pod with an emptyDir and a hostPort, so there are
#      mounts, a netns, a veth, portmap and masquerade rules to clean up;
#   2. runs cluster-down and checks: no process of ours (recorded pids, binaries from the cache,
#      containerd/shims of our socket), no mount under the state dir, no netns of our pods, no
#      KUBE-/CNI-/safety-net iptables rules, no CNI bridge or veths, no node IP on lo, no pod cgroups,
#      no state dir;
#   3. unless --no-up, runs cluster-up again (warm: cache present) and checks it is Ready in <= 120 s.
#      So the cluster is left RUNNING, as other work expects.
# Last line: "N passed, M failed"; exit status non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
HACK=hack
# shellcheck source=hack/lib/common.sh
. "${HACK}/lib/common.sh"
# shellcheck source=hack/lib/cluster-env.sh
. "${HACK}/lib/cluster-env.sh"

NO_UP=""; [ "${1:-}" = --no-up ] && NO_UP=1
WARM_LIMIT="${MCP_WARM_LIMIT_SECONDS:-120}"
PASSED=0; FAILED=0
ok()   { PASSED=$((PASSED + 1)); printf 'ok   - %s\n' "$*"; }
nok()  { FAILED=$((FAILED + 1)); printf 'FAIL - %s\n' "$*"; }
check() { local what="$1"; shift; if "$@"; then ok "${what}"; else nok "${what}"; fi; }
finish() { echo "${PASSED} passed, ${FAILED} failed"; [ "${FAILED}" -eq 0 ]; exit $?; }

if ! up_out="$(bash "${HACK}/cluster-up.sh")"; then nok "cluster-up"; finish; fi
eval "$(tail -1 <<<"${up_out}")"
KUBECTL="$(bin_path kubectl "${K8S_VERSION}")"
CRICTL="$(bin_path crictl "${CRICTL_VERSION}")"
k() { "${KUBECTL}" "$@"; }

# --- something to clean up -------------------------------------------------------------------------
cat <<EOF | k apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: down-test, namespace: default}
spec:
  terminationGracePeriodSeconds: 30
  volumes: [{name: scratch, emptyDir: {}}]
  containers:
  - name: c
    image: ${PAUSE_IMAGE}
    imagePullPolicy: Never
    ports: [{containerPort: 8080, hostPort: 18080}]
    volumeMounts: [{name: scratch, mountPath: /scratch}]
EOF
check "a pod with an emptyDir and a hostPort runs" k wait --for=condition=Ready pod/down-test --timeout=120s
POD_NETNS="$("${CRICTL}" --config "${STATE}/config/crictl.yaml" inspectp -o go-template \
  --template '{{range .info.runtimeSpec.linux.namespaces}}{{if eq .type "network"}}{{.path}}{{end}}{{end}}' \
  "$("${CRICTL}" --config "${STATE}/config/crictl.yaml" pods -q --name down-test | head -1)" 2>/dev/null)"
check "the pod has its own network namespace (${POD_NETNS:-none})" test -n "${POD_NETNS}"
check "there are CNI hostport rules to clean up" bash -c 'iptables-save -t nat | grep -q CNI-HOSTPORT'
PIDS_BEFORE="$(cat "${PIDS}"/*.pid 2>/dev/null | tr '\n' ' ')"

# --- down ---------------------------------------------------------------------------------------------
t0="${SECONDS}"
check "hack/cluster-down.sh succeeds" bash "${HACK}/cluster-down.sh"
echo "# cluster-down took $((SECONDS - t0))s"

no_recorded_pid_alive() { local p; for p in ${PIDS_BEFORE}; do kill -0 "${p}" 2>/dev/null && { echo "pid ${p} alive"; return 1; }; done; return 0; }
check "no recorded daemon pid is alive (${PIDS_BEFORE})" no_recorded_pid_alive
# Ours: every process whose command line names the state dir (all our daemons, containerd's shims
# with our socket). Others may run the same binaries for their own control plane (e.g. a benchmark's
# apiserver on other ports), or kubectl/helm against the cluster: not ours.
no_our_process() {
  local d cmd bad=0
  for d in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' < "${d}/cmdline" 2>/dev/null)" || continue
    [ "${d#/proc/}" = "$$" ] && continue
    [[ "${cmd}" == *"${STATE}/"* || "${cmd}" == *"${STATE} "* ]] || continue
    echo "left behind: ${d#/proc/} ${cmd}"; bad=1
  done
  return "${bad}"
}
check "no cluster daemon, shim or pod process is left" no_our_process
no_mounts() { ! findmnt -rn -o TARGET,SOURCE | grep -F -e "${STATE}" -e "${CONTAINERD_ROOT}"; }
check "no mount under ${STATE} or ${CONTAINERD_ROOT}" no_mounts
check "the pod's network namespace is gone" test ! -e "${POD_NETNS:-/nonexistent}"
no_cni_netns() { ! ip netns list 2>/dev/null | grep -E '^cni-'; }
check "no cni-* network namespace is left" no_cni_netns
no_rules() {
  ! { iptables-save; ip6tables-save; } 2>/dev/null | grep -E "KUBE-|CNI-|${SAFETY_NET_COMMENT// /_}|${CNI_NETWORK}"
}
check "no KUBE-/CNI-/safety-net iptables rules or chains" no_rules
check "no ${CNI_BRIDGE} bridge" bash -c "! ip link show ${CNI_BRIDGE} 2>/dev/null"
no_veth() { ! ip -o link show type veth 2>/dev/null | grep -F "master ${CNI_BRIDGE}"; }
check "no veth attached to ${CNI_BRIDGE}" no_veth
check "no ${NODE_IP} on lo" bash -c "! ip -4 addr show dev lo | grep -qw ${NODE_IP}"
no_cgroups() { ! compgen -G '/sys/fs/cgroup/*/kubepods' >/dev/null; }
check "no kubepods cgroups" no_cgroups
check "the state dir ${STATE} is removed" test ! -e "${STATE}"
check "the binary cache is kept" test -x "${KUBECTL}"

# --- warm up --------------------------------------------------------------------------------------------
if [ -z "${NO_UP}" ]; then
  t0="${SECONDS}"
  if up_out="$(bash "${HACK}/cluster-up.sh")"; then
    warm=$((SECONDS - t0))
    echo "# warm cluster-up took ${warm}s"
    eval "$(tail -1 <<<"${up_out}")"
    check "warm cluster-up: node Ready" k wait --for=condition=Ready "node/${NODE_NAME}" --timeout=60s
    check "warm cluster-up took ${warm}s <= ${WARM_LIMIT}s" test "${warm}" -le "${WARM_LIMIT}"
    t0="${SECONDS}"; bash "${HACK}/cluster-up.sh" >/dev/null 2>&1
    check "cluster-up on a healthy cluster returns at once ($((SECONDS - t0))s <= 5s)" test $((SECONDS - t0)) -le 5
  else
    nok "warm cluster-up"
  fi
fi
finish

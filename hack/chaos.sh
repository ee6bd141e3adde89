#!/usr/bin/env bash
# Restarts one component of the local cluster, for the chaos tier (test/chaos/run.sh):
#
#   hack/chaos.sh restart kube-apiserver|etcd|kubelet|containerd|kube-controller-manager|kube-scheduler|kube-proxy|coredns|metrics-server|kube-router
#
# SIGKILL of the recorded pid (a crash, not a clean stop: nothing gets to flush or deregister), then
# hack/cluster-up.sh, which starts what is missing with its usual arguments and waits until the cluster is
# healthy again. Prints the seconds from the kill to healthy. Only the cluster's own daemons, by pid file.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "${HACK_DIR}/lib/cluster-env.sh"
. "${HACK_DIR}/lib/daemons.sh"

[ "${1:-}" = restart ] && [ -n "${2:-}" ] || { sed -n '2,8p' "$0" >&2; exit 2; }
name="$2"
printf '%s\n' "${COMPONENTS[@]}" | grep -qx "${name}" || die "not a component of the local cluster: ${name}"
require_root
pid="$(daemon_pid "${name}")" || die "${name} is not running"
t0="$(date +%s.%N)"
kill -KILL "${pid}"
while kill -0 "${pid}" 2>/dev/null; do sleep 0.05; done
rm -f "${PIDS}/${name}.pid" "${PIDS}/${name}.exe"
log "killed ${name} (pid ${pid})"
bash "${HACK_DIR}/cluster-up.sh" > /dev/null
awk -v a="${t0}" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }'

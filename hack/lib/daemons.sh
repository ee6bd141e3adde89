# shellcheck shell=bash
# Start/stop the cluster's daemons, tracked by pid files under ${PIDS}. Source after cluster-env.sh.
# A daemon runs in its own session (setsid) so it outlives the shell that started it; the pid file
# is written by the process itself just before it execs, so it always names the daemon.

# daemon_pid NAME: the recorded pid if that process is alive and still runs the recorded binary.
daemon_pid() {
  local name="$1" pid exe
  # shellcheck disable=SC2153  # PIDS comes from cluster-env.sh, sourced by every script that sources this
  [ -s "${PIDS}/${name}.pid" ] || return 1
  pid="$(cat "${PIDS}/${name}.pid")"
  [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
  kill -0 "${pid}" 2>/dev/null || return 1
  exe="$(readlink "/proc/${pid}/exe" 2>/dev/null || true)"
  [ "${exe% (deleted)}" = "$(cat "${PIDS}/${name}.exe" 2>/dev/null)" ] || return 1
  echo "${pid}"
}

daemon_running() { daemon_pid "$1" >/dev/null; }

# start_daemon NAME BINARY ARGS...   (no-op if it already runs this binary with these arguments; one that
# runs with other arguments, e.g. started by an older cluster-up, is restarted with these)
# Environment given as assignments before the call reaches the daemon. MCP_DAEMON_RESOLV_CONF=FILE runs it
# in a private mount namespace where FILE is /etc/resolv.conf: a host daemon that must resolve cluster
# names as a pod would (KEDA's operator queries Prometheus at its Service name). unshare and sh exec, so the
# pid in the pid file is still the daemon's.
start_daemon() {
  local name="$1" bin="$2"; shift 2
  local pid
  if pid="$(daemon_pid "${name}")"; then
    [ "$(tr '\0' '\n' < "/proc/${pid}/cmdline" | tail -n +2)" = "$(printf '%s\n' "$@")" ] && return 0
    log "${name} runs with other arguments: restarting it"
    stop_daemon "${name}"
  fi
  mkdir -p "${PIDS}" "${LOGS}"
  rm -f "${PIDS}/${name}.pid"
  readlink -f "${bin}" > "${PIDS}/${name}.exe"
  printf '\n==== %s starting %s\n' "$(date -Is)" "${name}" >> "${LOGS}/${name}.log"
  # shellcheck disable=SC2016
  # Close every fd above 2 before exec: neither cluster-up's lock (fd 9) nor a pipe of whoever ran
  # cluster-up (a CI runner waiting for EOF) may stay open in a daemon that outlives it.
  setsid bash -c 'echo $$ > "$0"
    for fd in $(ls /proc/$$/fd); do [ "${fd}" -gt 2 ] && eval "exec ${fd}>&-"; done
    if [ -n "${MCP_DAEMON_RESOLV_CONF:-}" ]; then
      exec unshare --mount --propagation private sh -c '\''mount --bind "$0" /etc/resolv.conf && exec "$@"'\'' "${MCP_DAEMON_RESOLV_CONF}" "$@"
    fi
    exec "$@"' "${PIDS}/${name}.pid" "${bin}" "$@" \
    >> "${LOGS}/${name}.log" 2>&1 < /dev/null 9>&- &
  # Wait for the pid file, then for the exec (until then /proc/<pid>/exe is still bash).
  local _ pid=""
  for _ in $(seq 1 200); do
    pid="$(cat "${PIDS}/${name}.pid" 2>/dev/null || true)"
    if [ -n "${pid}" ] && daemon_running "${name}"; then return 0; fi
    if [ -n "${pid}" ] && ! kill -0 "${pid}" 2>/dev/null; then break; fi
    sleep 0.05
  done
  tail -20 "${LOGS}/${name}.log" >&2
  die "${name} exited at once or did not start (log: ${LOGS}/${name}.log)"
}

# stop_daemon NAME [GRACE_SECONDS]: SIGTERM, wait, then SIGKILL. Only the recorded pid.
stop_daemon() {
  local name="$1" grace="${2:-15}" pid
  if pid="$(daemon_pid "${name}")"; then
    kill -TERM "${pid}" 2>/dev/null || true
    local deadline=$((SECONDS + grace))
    while kill -0 "${pid}" 2>/dev/null && [ "${SECONDS}" -lt "${deadline}" ]; do sleep 0.2; done
    if kill -0 "${pid}" 2>/dev/null; then
      warn "${name} (pid ${pid}) ignored SIGTERM for ${grace}s; sending SIGKILL"
      kill -KILL "${pid}" 2>/dev/null || true
      while kill -0 "${pid}" 2>/dev/null; do sleep 0.1; done
    fi
    log "stopped ${name} (pid ${pid})"
  fi
  rm -f "${PIDS}/${name}.pid" "${PIDS}/${name}.exe"
}

# Require a daemon to stay up while waiting for it: wait_daemon NAME DESCRIPTION TIMEOUT CMD...
wait_daemon() {
  local name="$1" what="$2" timeout="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    daemon_running "${name}" || { tail -30 "${LOGS}/${name}.log" >&2; die "${name} died while waiting for ${what} (log: ${LOGS}/${name}.log)"; }
    if [ "${SECONDS}" -ge "${deadline}" ]; then
      tail -30 "${LOGS}/${name}.log" >&2
      die "timed out after ${timeout}s waiting for ${what} (log: ${LOGS}/${name}.log)"
    fi
    sleep 0.3
  done
}

# stop_daemons GRACE NAME...: SIGTERM to all at once, then wait (SIGKILL after GRACE seconds).
stop_daemons() {
  local grace="$1"; shift
  local name pid pids=() names=()
  for name in "$@"; do
    if pid="$(daemon_pid "${name}")"; then kill -TERM "${pid}" 2>/dev/null || true; pids+=("${pid}"); names+=("${name}"); fi
  done
  local deadline=$((SECONDS + grace)) i
  for i in "${!pids[@]}"; do
    while kill -0 "${pids[$i]}" 2>/dev/null && [ "${SECONDS}" -lt "${deadline}" ]; do sleep 0.1; done
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      warn "${names[$i]} (pid ${pids[$i]}) ignored SIGTERM for ${grace}s; sending SIGKILL"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
  done
  for name in "$@"; do stop_daemon "${name}" 5; done
  [ "${#names[@]}" -eq 0 ] || log "stopped ${names[*]}"
}

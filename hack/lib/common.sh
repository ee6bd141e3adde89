# shellcheck shell=bash
# Shared helpers for hack/*.sh. Source it; it sets paths, logging and small utilities.

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "${HACK_DIR}/.." && pwd)"; export REPO_ROOT
# shellcheck source=hack/lib/versions.sh
. "${HACK_DIR}/lib/versions.sh"

MCP_CACHE_DIR="${MCP_CACHE_DIR:-/var/cache/mcp-sidecar}"
MCP_CLUSTER_DIR="${MCP_CLUSTER_DIR:-/var/lib/mcp-sidecar-cluster}"
BIN_CACHE="${MCP_CACHE_DIR}/bin"

_t0_common="${SECONDS}"
log()  { printf '[%s +%4ss] %s\n' "$(date +%H:%M:%S)" "$((SECONDS - _t0_common))" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" = 0 ] || die "$(basename "$0") must run as root (it manages mounts, network namespaces and iptables)"
}

# Path of a cached binary: bin_path NAME VERSION
bin_path() { printf '%s/%s-%s' "${BIN_CACHE}" "$1" "$2"; }

# Install Debian packages that are missing. apt_ensure CMD:PKG ... (CMD is a file or command to test)
apt_ensure() {
  local missing=() spec test pkg
  for spec in "$@"; do
    test="${spec%%:*}"; pkg="${spec#*:}"
    if [[ "${test}" == /* ]]; then [ -e "${test}" ] && continue
    else command -v "${test}" >/dev/null 2>&1 && continue; fi
    missing+=("${pkg}")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists at most once per run (and only if older than an hour).
  if [ -z "${_APT_UPDATED:-}" ]; then
    local stamp=/var/lib/apt/periodic/update-success-stamp lists_age=999999
    if [ -e /var/lib/apt/lists/lock ] && compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
      # shellcheck disable=SC2012  # apt list files have plain names; ls -t sorts by mtime
      lists_age=$(( $(date +%s) - $(stat -c %Y "$(ls -t /var/lib/apt/lists/*_Packages | head -1)") ))
    fi
    if [ "${lists_age}" -gt 3600 ] || [ -n "${FORCE_APT_UPDATE:-}" ]; then
      apt_retry apt-get update -qq || die "apt-get update failed (is the Debian mirror reachable?)"
    fi
    : "${stamp}"
    _APT_UPDATED=1
  fi
  apt_retry apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
}

# apt can be locked by another engineer's install; retry for a while.
apt_retry() {
  local i
  for i in $(seq 1 30); do
    if "$@"; then return 0; fi
    if fuser /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock >/dev/null 2>&1; then
      log "apt is locked by another process; retrying ($i/30)"; sleep 10
    else
      return 1
    fi
  done
  return 1
}

# Wait until a command succeeds: wait_for TIMEOUT_SECONDS CMD...
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    if [ "${SECONDS}" -ge "${deadline}" ]; then return 1; fi
    sleep 0.5
  done
}

# Is the process recorded in a pid file alive (and is it the binary we expect)?
pid_alive() {
  local pidfile="$1" pid
  [ -s "${pidfile}" ] || return 1
  pid="$(cat "${pidfile}")"
  [ -n "${pid}" ] && kill -0 "${pid}" 2>/dev/null
}

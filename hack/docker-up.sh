#!/usr/bin/env bash
# A Docker engine and the Compose v2 plugin, for compose.yaml (hack/compose-up.sh) and its test tier.
#
#   hack/docker-up.sh        # prints `export DOCKER_HOST=...` as its last line
#
# - An engine that already answers (DOCKER_HOST, or the default socket) is used as it is.
# - Otherwise Debian's docker.io is installed and dockerd started here, on its default socket, with
#   --iptables=false: this machine also runs the local Kubernetes cluster, and dockerd's iptables set-up
#   (FORWARD policy DROP) outlives dockerd and cuts pod traffic. Compose needs no NAT here: published
#   ports go through docker-proxy and containers of one project share a bridge. Its pid is recorded, so
#   hack/docker-down.sh stops that dockerd and no other.
# - `docker compose` (v2): used if the docker CLI has it; otherwise built once from the Go module
#   github.com/docker/compose/v2 (the module proxy is reachable, the release downloads are not), cached
#   in ${MCP_CACHE_DIR}/bin and installed as a CLI plugin. Debian bookworm only packages Compose v1.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "${HACK_DIR}/lib/build.sh"
require_root

DOCKER_STATE="${MCP_DOCKER_STATE:-/var/lib/mcp-sidecar-docker}"
DOCKERD_PIDFILE="${DOCKER_STATE}/dockerd.pid"
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_dockerd() {
  apt_ensure dockerd:docker.io
  command -v docker >/dev/null 2>&1 || die "docker.io is installed but there is no docker CLI on PATH"
  mkdir -p "${DOCKER_STATE}"
  if pid_alive "${DOCKERD_PIDFILE}"; then
    log "dockerd (pid $(cat "${DOCKERD_PIDFILE}")) is starting; waiting for it"
  else
    # A dockerd killed hard leaves its pid file and containerd socket behind; dockerd refuses to start
    # over its own stale pid file only when that pid is alive, so nothing to clean here.
    log "starting dockerd (log: ${DOCKER_STATE}/dockerd.log)"
    setsid dockerd --iptables=false --ip-masq=false --pidfile /var/run/docker.pid \
      >>"${DOCKER_STATE}/dockerd.log" 2>&1 </dev/null &
    echo "$!" > "${DOCKERD_PIDFILE}"
  fi
  wait_for 60 engine_answers || die "dockerd did not answer within 60 s; see ${DOCKER_STATE}/dockerd.log"
}

build_compose_plugin() {
  if ! all_cached "docker-compose:${COMPOSE_VERSION}"; then
    check_go
    go_env
    local modfile
    modfile="$(cd "${MCP_CACHE_DIR}/go" && go mod download -json "github.com/docker/compose/v2@${COMPOSE_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')"
    [ -s "${modfile}" ] || die "could not download github.com/docker/compose/v2@${COMPOSE_VERSION} from the module proxy"
    # Compose's own exclude block applies only when it is the main module, so the throwaway module
    # copies it (`go install …@version` refuses modules with exclude directives).
    build_simple docker-compose "${COMPOSE_VERSION}" github.com/docker/compose/v2 github.com/docker/compose/v2/cmd \
      "-X github.com/docker/compose/v2/internal.Version=${COMPOSE_VERSION}" "$(sed -n '/^exclude (/,/^)/p' "${modfile}")"
  fi
  mkdir -p "${PLUGIN_DIR}"
  install -m 0755 "$(bin_path docker-compose "${COMPOSE_VERSION}")" "${PLUGIN_DIR}/docker-compose"
}

main() {
  if engine_answers; then
    log "a Docker engine answers ($(docker version --format '{{.Server.Version}}')): using it"
  else
    start_dockerd
    log "dockerd $(docker version --format '{{.Server.Version}}') is up (pid $(cat "${DOCKERD_PIDFILE}"))"
  fi
  if ! docker compose version >/dev/null 2>&1; then build_compose_plugin; fi
  docker compose version >/dev/null 2>&1 || die "docker compose does not run (plugin in ${PLUGIN_DIR})"
  log "$(docker compose version)"
  echo "export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}"
}

main "$@"

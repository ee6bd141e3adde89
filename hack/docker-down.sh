#!/usr/bin/env bash
# Stops the dockerd that hack/docker-up.sh started (by its recorded pid); an engine it found running is
# left alone. Containers of compose projects should be gone already (`docker compose down -v`).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
require_root

DOCKER_STATE="${MCP_DOCKER_STATE:-/var/lib/mcp-sidecar-docker}"
pidfile="${DOCKER_STATE}/dockerd.pid"
if ! pid_alive "${pidfile}"; then
  rm -f "${pidfile}"
  log "no dockerd started by hack/docker-up.sh is running"
  exit 0
fi
pid="$(cat "${pidfile}")"
log "stopping dockerd (pid ${pid})"
kill -TERM "${pid}"
# dockerd stops its containers (10 s each at most) and its containerd before it exits.
deadline=$((SECONDS + 60))
while kill -0 "${pid}" 2>/dev/null; do
  if [ "${SECONDS}" -ge "${deadline}" ]; then warn "dockerd ${pid} still running after 60 s; sending SIGKILL"; kill -KILL "${pid}"; fi
  sleep 0.5
done
rm -f "${pidfile}"
log "dockerd stopped"

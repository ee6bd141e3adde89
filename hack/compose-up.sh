#!/usr/bin/env bash
# The sample MCP servers on this machine without Kubernetes: compose.yaml, on a local Docker engine.
#
#   hack/compose-up.sh            # engine + compose plugin, images (no registry), `docker compose up -d --wait`
#   hack/compose-up.sh --images   # only the engine and the images (the Compose test tier uses this)
#
# Images: hack/images.sh builds localhost/mcp-bridge:local, localhost/mcp-postgres:local and
# localhost/mcp-prometheus:local with buildah
# (debootstrap base, nothing pulled) and archives them; they are loaded into Docker when Docker's copy
# differs. Where a registry is reachable, `npm ci && npm run build && docker compose build` does the same.
# Stop with `docker compose down` (add -v to delete the memory, postgres and prometheus volumes).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
require_root

ARCHIVES="${MCP_CACHE_DIR}/images/archives"

# load_image NAME: docker load the buildah archive unless Docker already has that image id.
load_image() {
  local name="$1" ref="localhost/mcp-$1:local" want have
  want="$(cat "${ARCHIVES}/${name}.id" 2>/dev/null)" || die "no archive of ${ref} (hack/images.sh ${name} failed?)"
  have="$(docker image inspect --format '{{.Id}}' "${ref}" 2>/dev/null || true)"
  if [ "${have}" = "sha256:${want}" ]; then return 0; fi
  log "loading ${ref} into Docker"
  docker load -q -i "${ARCHIVES}/${name}.tar" >/dev/null || die "docker load ${ARCHIVES}/${name}.tar failed"
}

main() {
  local images_only=""
  case "${1:-}" in
    --images) images_only=1 ;;
    "") ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  eval "$(bash "${HACK_DIR}/docker-up.sh" | tail -1)"
  export DOCKER_HOST
  bash "${HACK_DIR}/images.sh" bridge postgres prometheus
  load_image bridge
  load_image postgres
  load_image prometheus
  [ -n "${images_only}" ] && return 0
  log "docker compose up -d --wait (first start: the servers' first initialize takes a few seconds)"
  (cd "${REPO_ROOT}" && docker compose up -d --wait --wait-timeout 300) || die "docker compose up failed; see: docker compose ps -a; docker compose logs"
  log "MCP servers (Streamable HTTP at /mcp, legacy SSE at /sse):"
  # shellcheck disable=SC2016  # JavaScript in single quotes: its $ are not the shell's
  node -e '
    const servers = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).servers.filter((x) => x.compose);
    for (const s of servers) console.log(`  ${s.name.padEnd(12)} http://127.0.0.1:${s.compose.port}/mcp`);
    console.log("\n# LiteLLM config.yaml:\nmcp_servers:");
    for (const s of servers) console.log(`  ${s.name.replace(/-/g, "_")}:\n    url: http://127.0.0.1:${s.compose.port}/mcp\n    transport: http\n    protocol_version: "2026-07-28"`);
  ' "${REPO_ROOT}/samples/servers.json"
}

main "$@"

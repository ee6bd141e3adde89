#!/bin/sh
# runc for kind's node containers on a host whose capability bounding set is not complete (this machine
# has no CAP_SYS_RESOURCE). `kind create cluster` runs its nodes with `docker run --privileged`, and the
# Docker engine of Debian bookworm (20.10) then asks runc for EVERY capability the kernel knows, which
# fails: "runc create failed: unable to start container process: unable to apply caps: operation not
# permitted". This wrapper drops, from the spec runc is given, the capabilities outside this process's
# bounding set (which no container here could have anyway) and runs runc.
# hack/kind-e2e.sh registers it with the engine as runtime "mcp-kind-runc" and has kind's `docker run` use it.
set -eu
# The spec runc reads: the bundle's config.json (create/run), or the process file of `runc exec --process`
# (docker exec --privileged, which kind uses for every command in a node, asks for every capability too).
spec=""
prev=""
for a in "$@"; do
  case "${prev}" in
    --bundle|-b) spec="${a}/config.json" ;;
    --process|-p) spec="${a}" ;;
  esac
  case "${a}" in
    --bundle=*) spec="${a#--bundle=}/config.json" ;;
    --process=*) spec="${a#--process=}" ;;
  esac
  prev="${a}"
done
if [ -n "${spec}" ] && [ -f "${spec}" ]; then
  bnd="$(awk '/^CapBnd:/ {print $2}' /proc/self/status)"
  allowed="$(capsh --decode="${bnd}" | cut -d= -f2 | tr '[:lower:]' '[:upper:]')"
  # config.json has them under .process.capabilities, a process file under .capabilities.
  jq --arg allowed "${allowed}" '
    ($allowed | split(",")) as $ok
    | def bounded: with_entries(.value |= map(select(. as $c | $ok | index($c))));
      if .process.capabilities then .process.capabilities |= bounded
      elif .capabilities then .capabilities |= bounded
      else . end' "${spec}" > "${spec}.bounded"
  mv "${spec}.bounded" "${spec}"
fi
exec runc "$@"

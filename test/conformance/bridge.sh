#!/usr/bin/env bash
# Starts an MCP HTTP endpoint in front of the fixture server on an ephemeral port, runs run.sh against
# it, stops it by PID and propagates run.sh's exit status. Builds nothing.
#
#   test/conformance/bridge.sh [BRIDGE_ENTRY] [-- extra run.sh / conformance flags]
#     BRIDGE_ENTRY  default dist/bridge/main.js; started as
#                     node BRIDGE_ENTRY --port 0 --host 127.0.0.1 $BRIDGE_ARGS -- node test/fixtures/fixture-server.mjs $FIXTURE_ARGS
#                   The word "reference" instead runs test/conformance/reference-http.mjs (the SDK's own
#                   StreamableHTTPServerTransport serving the fixture in-process), with the baseline
#                   test/conformance/baseline-reference.yml unless CONFORMANCE_BASELINE is set.
# Env: BRIDGE_ARGS (extra bridge flags, e.g. "--session-mode shared"; later flags win, so
#      "--host 0.0.0.0" overrides the loopback bind), FIXTURE_ARGS (e.g. "--banner"),
#      CONFORMANCE_BASELINE, CONFORMANCE_OUT,
#      STARTUP_TIMEOUT_S (default 30). The endpoint's stdout/stderr go to $CONFORMANCE_OUT/../server.log
#      (printed on failure).
set -euo pipefail
cd "$(dirname "$0")/../.."

entry=dist/bridge/main.js
if [[ $# -gt 0 && $1 != -- ]]; then
  entry=$1
  shift
fi
[[ ${1:-} == -- ]] && shift

work=$(mktemp -d "${TMPDIR:-/tmp}/mcp-conformance-run.XXXXXX")
log=$work/server.log
export CONFORMANCE_OUT=${CONFORMANCE_OUT:-$work/results}

if [[ $entry == reference ]]; then
  cmd=(node test/conformance/reference-http.mjs --port 0 --host 127.0.0.1)
  export CONFORMANCE_BASELINE=${CONFORMANCE_BASELINE:-test/conformance/baseline-reference.yml}
else
  if [[ ! -f $entry ]]; then
    echo "bridge.sh: $entry not found (run npm run build first)" >&2
    exit 2
  fi
  # shellcheck disable=SC2206 # BRIDGE_ARGS / FIXTURE_ARGS are flag lists, split on purpose
  cmd=(node "$entry" --port 0 --host 127.0.0.1 ${BRIDGE_ARGS:-} -- node test/fixtures/fixture-server.mjs ${FIXTURE_ARGS:-})
fi

echo "bridge.sh: starting ${cmd[*]}" >&2
"${cmd[@]}" >"$log" 2>&1 &
pid=$!

stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
trap stop EXIT

# Wait for the "listening" log line and take its url.
url=
deadline=$((SECONDS + ${STARTUP_TIMEOUT_S:-30}))
while [[ -z $url ]]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "bridge.sh: endpoint exited before listening; log:" >&2
    cat "$log" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "bridge.sh: no \"listening\" line within ${STARTUP_TIMEOUT_S:-30}s; log:" >&2
    cat "$log" >&2
    exit 1
  fi
  url=$(node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
    for (const l of lines) {
      try { const o = JSON.parse(l); if (o.msg === "listening" && typeof o.url === "string") { console.log(o.url); break; } } catch {}
    }' "$log")
  [[ -n $url ]] || sleep 0.2
done
echo "bridge.sh: endpoint pid $pid at $url" >&2

set +e
test/conformance/run.sh "$url" "$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  echo "--- endpoint log (last 50 lines of $log) ---" >&2
  tail -n 50 "$log" >&2
fi
exit "$rc"

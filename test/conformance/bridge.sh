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
#                   The word "reference-v2" runs test/conformance/reference-v2.mjs (SDK v2's own HTTP entry
#                   serving test/fixtures/modern-server.mjs's factory, both eras on one /mcp).
# Env: BRIDGE_ARGS (extra bridge flags, e.g. "--session-mode shared"; later flags win, so
#      "--host 0.0.0.0" overrides the loopback bind), FIXTURE_ARGS (e.g. "--banner"),
#      FIXTURE (the stdio server the bridge spawns, default test/fixtures/fixture-server.mjs; with another
#      one no baseline is picked: set CONFORMANCE_BASELINE),
#      CONFORMANCE_REQUIREMENTS (unset: suite 0.1.16; 2026-07-28 or 2025-11-25: suite 0.2.x with
#      --requirements, see run.sh; the baseline is then test/conformance/baseline-<target>-<revision>.yml,
#      target = reference-v2, bridge (per-session) or bridge-shared (BRIDGE_ARGS has --session-mode shared)),
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

fixture=${FIXTURE:-test/fixtures/fixture-server.mjs}
requirements=${CONFORMANCE_REQUIREMENTS:-}
# The per-target baseline of a 0.2.x run (bridge runs in front of the default fixture only).
target_baseline() {
  if [[ -n $requirements && -z ${CONFORMANCE_BASELINE:-} ]]; then
    export CONFORMANCE_BASELINE=test/conformance/baseline-$1-$requirements.yml
  fi
}
if [[ $entry == reference ]]; then
  cmd=(node test/conformance/reference-http.mjs --port 0 --host 127.0.0.1)
  export CONFORMANCE_BASELINE=${CONFORMANCE_BASELINE:-test/conformance/baseline-reference.yml}
elif [[ $entry == reference-v2 ]]; then
  cmd=(node test/conformance/reference-v2.mjs --port 0 --host 127.0.0.1)
  target_baseline reference-v2
  export CONFORMANCE_BASELINE=${CONFORMANCE_BASELINE:-test/conformance/baseline-reference.yml}
else
  if [[ ! -f $entry ]]; then
    echo "bridge.sh: $entry not found (run npm run build first)" >&2
    exit 2
  fi
  if [[ $fixture == test/fixtures/fixture-server.mjs ]]; then
    if [[ ${BRIDGE_ARGS:-} =~ --session-mode[=\ ]shared ]]; then target_baseline bridge-shared; else target_baseline bridge; fi
  elif [[ -n $requirements ]]; then
    export CONFORMANCE_BASELINE=${CONFORMANCE_BASELINE:-none}
  fi
  # shellcheck disable=SC2206 # BRIDGE_ARGS / FIXTURE_ARGS are flag lists, split on purpose
  cmd=(node "$entry" --port 0 --host 127.0.0.1 ${BRIDGE_ARGS:-} -- node "$fixture" ${FIXTURE_ARGS:-})
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

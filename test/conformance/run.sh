#!/usr/bin/env bash
# Runs the official MCP conformance suite (server scenarios) against a running Streamable HTTP endpoint.
#
#   test/conformance/run.sh <url> [extra conformance flags, e.g. --scenario tools-list | --suite all]
#
# Env:
#   CONFORMANCE_BASELINE  expected-failures file (default test/conformance/baseline.yml; "none" = no baseline)
#   CONFORMANCE_OUT       output directory for checks.json files (default: a fresh mktemp dir, kept)
#   CONFORMANCE_PKG       suite package (default @modelcontextprotocol/conformance@0.1.16)
#
# Exit status is the suite's: with a baseline, non-zero on any failure NOT listed (a regression) and on
# any listed scenario that now passes (stale baseline); a WARNING counts as a failure there. Without a
# baseline, non-zero on any FAILURE. The suite needs Node >= 22, so it runs under `npx -p node@22`.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ $# -lt 1 ]]; then
  echo "usage: $0 <url> [conformance flags...]" >&2
  exit 2
fi
url=$1
shift

pkg=${CONFORMANCE_PKG:-@modelcontextprotocol/conformance@0.1.16}
baseline=${CONFORMANCE_BASELINE:-test/conformance/baseline.yml}
out=${CONFORMANCE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/mcp-conformance.XXXXXX")}
mkdir -p "$out"

args=(server --url "$url" -o "$out")
if [[ $baseline != none ]]; then
  args+=(--expected-failures "$baseline")
fi

echo "conformance: $pkg against $url (baseline: $baseline, output: $out)" >&2
set +e
npx -y -p node@22 -p "$pkg" conformance "${args[@]}" "$@"
rc=$?
set -e

echo "=== conformance summary ($out) ==="
node test/conformance/summarize.mjs "$out" || true
echo "conformance exit status: $rc"
exit "$rc"

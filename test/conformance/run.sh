#!/usr/bin/env bash
# Runs the official MCP conformance suite (server scenarios) against a running Streamable HTTP endpoint.
#
#   test/conformance/run.sh <url> [extra conformance flags, e.g. --scenario tools-list | --suite all]
#
# Env:
#   CONFORMANCE_REQUIREMENTS  unset: the 0.1.16 suite (active scenarios, 2025 wire), as always.
#                         A revision (2026-07-28 or 2025-11-25): the 0.2.x suite with `--requirements <rev>`,
#                         exactly the scenarios that revision requires, run at its own wire (2026-07-28:
#                         stateless, per-request _meta; 2025-11-25: initialize + sessions). Not-scored
#                         scenarios (extensions, pending) run too but cannot fail the run.
#   CONFORMANCE_BASELINE  expected-failures file (default test/conformance/baseline.yml for 0.1.16, "none" with
#                         CONFORMANCE_REQUIREMENTS; bridge.sh picks the per-target file). Entries may name a whole
#                         scenario or one check, `scenario:check-id` (0.2.x only).
#   CONFORMANCE_OUT       output directory for checks.json files (default: a fresh mktemp dir, kept)
#   CONFORMANCE_PKG       suite package (default @modelcontextprotocol/conformance@0.1.16, or
#                         @modelcontextprotocol/conformance@0.2.0-alpha.12 with CONFORMANCE_REQUIREMENTS)
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

requirements=${CONFORMANCE_REQUIREMENTS:-}
if [[ -n $requirements ]]; then
  pkg=${CONFORMANCE_PKG:-@modelcontextprotocol/conformance@0.2.0-alpha.12}
  baseline=${CONFORMANCE_BASELINE:-none}
else
  pkg=${CONFORMANCE_PKG:-@modelcontextprotocol/conformance@0.1.16}
  baseline=${CONFORMANCE_BASELINE:-test/conformance/baseline.yml}
fi
out=${CONFORMANCE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/mcp-conformance.XXXXXX")}
mkdir -p "$out"

args=(server --url "$url" -o "$out")
if [[ -n $requirements ]]; then
  args+=(--requirements "$requirements")
fi
if [[ $baseline != none ]]; then
  args+=(--expected-failures "$baseline")
fi

echo "conformance: $pkg${requirements:+ --requirements $requirements} against $url (baseline: $baseline, output: $out)" >&2
set +e
npx -y -p node@22 -p "$pkg" conformance "${args[@]}" "$@"
rc=$?
set -e

echo "=== conformance summary ($out) ==="
node test/conformance/summarize.mjs "$out" || true
echo "conformance exit status: $rc"
exit "$rc"

#!/usr/bin/env bash
# Builds the static stdio agent into dist/agent/mcp-agent (dist/ is git-ignored).
# The bridge image bundles it and copies it into the pod's shared emptyDir (--install-agent /mcp/agent).
set -euo pipefail
cd "$(dirname "$0")"
out="../dist/agent/mcp-agent"
mkdir -p "$(dirname "$out")"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out" .
echo "$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

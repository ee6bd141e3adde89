#!/usr/bin/env bash
# Installs the peer bridges the benchmark compares against, OUTSIDE the repo so
# nothing lands in package.json: supergateway from npm, mcp-proxy from PyPI.
# Idempotent; prints nothing on the happy path except what the installers print.
# Env: BENCH_PEERS_DIR (default /tmp/bench-peers), SUPERGATEWAY_VERSION, MCP_PROXY_VERSION.
set -euo pipefail
DIR="${BENCH_PEERS_DIR:-/tmp/bench-peers}"
SG_VERSION="${SUPERGATEWAY_VERSION:-4.0.0}"
MP_VERSION="${MCP_PROXY_VERSION:-0.13.0}"
mkdir -p "$DIR"

if [ ! -x "$DIR/node_modules/.bin/supergateway" ] || \
   ! grep -q "\"version\": \"$SG_VERSION\"" "$DIR/node_modules/supergateway/package.json" 2>/dev/null; then
  echo "setup-peers: installing supergateway@$SG_VERSION into $DIR" >&2
  npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "supergateway@$SG_VERSION" >&2 \
    || echo "setup-peers: supergateway install failed (bench will skip it)" >&2
fi

if [ ! -x "$DIR/venv/bin/mcp-proxy" ]; then
  echo "setup-peers: installing mcp-proxy${MP_VERSION:+==$MP_VERSION} into $DIR/venv" >&2
  if python3 -m venv "$DIR/venv" >&2; then
    "$DIR/venv/bin/pip" install --quiet --disable-pip-version-check "mcp-proxy${MP_VERSION:+==$MP_VERSION}" >&2 \
      || echo "setup-peers: mcp-proxy install failed (bench will skip it)" >&2
  else
    echo "setup-peers: python3 venv unavailable (bench will skip mcp-proxy)" >&2
  fi
fi

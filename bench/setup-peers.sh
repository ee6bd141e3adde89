#!/usr/bin/env bash
# Installs the peer bridges the benchmark compares against, OUTSIDE the repo so
# nothing lands in package.json: supergateway from npm, mcp-proxy from PyPI (sparfenyuk), mcp-proxy
# from npm (punkpeye: serves 2026-07-28 clients in front of a 2025-era stdio server), and the chart
# renderer (vega + vega-lite, SVG without a browser or native canvas).
# Idempotent; prints nothing on the happy path except what the installers print.
#   bash bench/setup-peers.sh [PART...]   parts: supergateway mcp-proxy mcp-proxy-npm chart inspector;
#   none given = all but inspector (the MCP Inspector CLI versions, ~420 MB, only the soak uses them).
# Env: BENCH_PEERS_DIR (default /tmp/bench-peers), SUPERGATEWAY_VERSION, MCP_PROXY_VERSION,
# MCP_PROXY_NPM_VERSION, VEGA_VERSION, VEGA_LITE_VERSION.
set -euo pipefail
PARTS=" ${*:-supergateway mcp-proxy mcp-proxy-npm chart} "
want() { [[ "$PARTS" == *" $1 "* ]]; }
DIR="${BENCH_PEERS_DIR:-/tmp/bench-peers}"
SG_VERSION="${SUPERGATEWAY_VERSION:-4.0.0}"
MP_VERSION="${MCP_PROXY_VERSION:-0.13.0}"
MPN_VERSION="${MCP_PROXY_NPM_VERSION:-6.7.19}"
VEGA_VERSION="${VEGA_VERSION:-6.4.0}"
VEGA_LITE_VERSION="${VEGA_LITE_VERSION:-6.5.0}"
mkdir -p "$DIR"

if want supergateway && { [ ! -x "$DIR/node_modules/.bin/supergateway" ] || \
   ! grep -q "\"version\": \"$SG_VERSION\"" "$DIR/node_modules/supergateway/package.json" 2>/dev/null; }; then
  echo "setup-peers: installing supergateway@$SG_VERSION into $DIR" >&2
  npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "supergateway@$SG_VERSION" >&2 \
    || echo "setup-peers: supergateway install failed (bench will skip it)" >&2
fi

if want mcp-proxy && [ ! -x "$DIR/venv/bin/mcp-proxy" ]; then
  echo "setup-peers: installing mcp-proxy${MP_VERSION:+==$MP_VERSION} into $DIR/venv" >&2
  if python3 -m venv "$DIR/venv" >&2; then
    "$DIR/venv/bin/pip" install --quiet --disable-pip-version-check "mcp-proxy${MP_VERSION:+==$MP_VERSION}" >&2 \
      || echo "setup-peers: mcp-proxy install failed (bench will skip it)" >&2
  else
    echo "setup-peers: python3 venv unavailable (bench will skip mcp-proxy)" >&2
  fi
fi

# npm installs into its own prefix each, so their dependency trees never meet.
npm_peer() { # <subdir> <package> <version> [more package@version...]
  local sub="$1" pkg="$2" version="$3"
  shift 3
  if ! grep -q "\"version\": \"$version\"" "$DIR/$sub/node_modules/$pkg/package.json" 2>/dev/null; then
    echo "setup-peers: installing $pkg@$version${*:+ $*} into $DIR/$sub" >&2
    mkdir -p "$DIR/$sub"
    npm install --prefix "$DIR/$sub" --no-audit --no-fund --loglevel=error "$pkg@$version" "$@" >&2 \
      || echo "setup-peers: $pkg install failed (bench will skip what needs it)" >&2
  fi
}
want mcp-proxy-npm && npm_peer npm-mcp-proxy mcp-proxy "$MPN_VERSION"
want chart && npm_peer chart vega-lite "$VEGA_LITE_VERSION" "vega@$VEGA_VERSION"
# The Inspector CLI versions bench/lib/inspector-loop.mjs runs (0.15 and 2.12 named in issue 12, and
# the newest 0.x), each in its own prefix.
if want inspector; then
  for v in 0.15.0 0.22.0 2.12.0; do npm_peer "inspector-$v" @modelcontextprotocol/inspector "$v"; done
fi

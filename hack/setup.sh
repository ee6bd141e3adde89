#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: node modules and the Python MCP client used by
# the tests (.venv). Idempotent and quick when nothing changed; `npm test` and `npm start` call it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: python venv" >&2
  python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import mcp' 2>/dev/null; then
  echo "setup: pip install -r test/python/requirements.txt" >&2
  .venv/bin/pip install --quiet --disable-pip-version-check -r test/python/requirements.txt
fi

#!/usr/bin/env bash
# One-time setup on a fresh machine: node modules and the Python MCP client used by the tests.
# Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r test/python/requirements.txt

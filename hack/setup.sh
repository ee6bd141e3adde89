#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: node modules and the Python clients used by
# the tests (.venv): the MCP SDK, and LiteLLM's proxy. Idempotent and quick when nothing changed;
# `npm test` and `npm start` call it.
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
# LiteLLM (~90 packages, ~500 MB, about 2 min from an empty pip cache): exact pins, no resolution
# (--no-deps), litellm's wheel checked against its hash. Done again only when those files change.
litellm_stamp=$(cat test/python/requirements-litellm.txt test/python/requirements-litellm-hashed.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.litellm-installed 2>/dev/null)" != "$litellm_stamp" ] || [ ! -x .venv/bin/litellm ]; then
  echo "setup: pip install LiteLLM (test/python/requirements-litellm*.txt)" >&2
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps -r test/python/requirements-litellm.txt
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r test/python/requirements-litellm-hashed.txt
  echo "$litellm_stamp" > .venv/.litellm-installed
fi
# A minimal OpenTelemetry Collector (OTLP in, file out) for the tracing integration test and
# bench/otel-overhead.mjs, built with the Collector Builder from the Go module proxy and cached under
# /var/cache/mcp-sidecar/bin (cold: about 4 min on 2 shared cores; then only a path check).
bash hack/otelcol.sh >/dev/null
# The lint tier runs shellcheck (Debian package) over the shell scripts; the operator tier's control
# plane makes its certificates with openssl.
if ! command -v shellcheck >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  echo "setup: apt-get install shellcheck openssl" >&2
  # shellcheck source=hack/lib/common.sh
  . hack/lib/common.sh
  apt_ensure shellcheck:shellcheck openssl:openssl
fi

#!/usr/bin/env bash
# Builds a minimal OpenTelemetry Collector (OTLP receiver; file and debug exporters) with the
# official OpenTelemetry Collector Builder, from the Go module proxy, and prints the binary's path.
# Cached as ${MCP_CACHE_DIR}/bin/otelcol-mcp-<version>; idempotent (a second run only prints the
# path). Used by the tracing integration test and bench/otel-overhead.mjs; hack/setup.sh calls it.
# No root needed when the cache dir is writable.
set -euo pipefail
# shellcheck source=hack/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=hack/lib/build.sh
. "${HACK_DIR}/lib/build.sh"

bin="$(bin_path otelcol-mcp "${OTELCOL_VERSION}")"
if [ -x "${bin}" ]; then
  printf '%s\n' "${bin}"
  exit 0
fi

export PATH="/usr/local/go/bin:${PATH}"
command -v go >/dev/null 2>&1 || die "go is not installed (the collector is built from Go modules; need Go >= 1.24)"
go_env
work="${MCP_CACHE_DIR}/work/otelcol-${OTELCOL_VERSION}"
mkdir -p "${work}"

builder="${GOPATH}/bin/builder-${OTELCOL_VERSION}"
if [ ! -x "${builder}" ]; then
  log "building the OpenTelemetry Collector Builder ${OTELCOL_VERSION}"
  GOBIN="${work}/gobin" go install "go.opentelemetry.io/collector/cmd/builder@${OTELCOL_VERSION}"
  mkdir -p "${GOPATH}/bin"
  mv -f "${work}/gobin/builder" "${builder}"
fi

# Only what the tests need: OTLP in (gRPC and HTTP), traces to a JSON-lines file (file exporter,
# from contrib) or the log (debug exporter); YAML config from a file.
cat > "${work}/manifest.yaml" <<MANIFEST
dist:
  name: otelcol-mcp
  description: Minimal OpenTelemetry Collector for mcp-sidecar-operator tests (OTLP in, file/debug out)
  output_path: ${work}/dist
receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver ${OTELCOL_VERSION}
exporters:
  - gomod: go.opentelemetry.io/collector/exporter/debugexporter ${OTELCOL_VERSION}
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter ${OTELCOL_VERSION}
providers:
  - gomod: go.opentelemetry.io/collector/confmap/provider/fileprovider ${OTELCOL_CONFMAP_VERSION}
  - gomod: go.opentelemetry.io/collector/confmap/provider/envprovider ${OTELCOL_CONFMAP_VERSION}
MANIFEST

log "building otelcol-mcp ${OTELCOL_VERSION} with the Collector Builder (cold: several minutes)"
# The builder generates the sources; the build is ours. Its own step runs `go mod tidy`, which also
# fetches the test-only dependencies of every component, and the module proxy serves no zip of one
# of the file exporter's (extension/encoding/otlpencodingextension: 403 for every version). A plain
# `go build -mod=mod` resolves only what the binary imports.
"${builder}" --config "${work}/manifest.yaml" --skip-get-modules --skip-compilation >&2 \
  || die "the Collector Builder failed to generate sources (versions in hack/lib/versions.sh consistent?)"
(cd "${work}/dist" && go build "${GO_BUILD_FLAGS[@]}" -ldflags='-s -w' -o otelcol-mcp .) \
  || die "building the generated collector failed (module proxy reachable?)"
install_bins "${work}/dist" "otelcol-mcp:${OTELCOL_VERSION}"
log "built $(bin_path otelcol-mcp "${OTELCOL_VERSION}")"
printf '%s\n' "${bin}"

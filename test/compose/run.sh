#!/usr/bin/env bash
# The Compose tier: a Docker engine (hack/docker-up.sh starts dockerd if none answers), the bridge and
# postgres images loaded into it (built without a registry), then test/compose/compose.test.ts, which
# brings compose.yaml up under its own project name and takes it down again. A dockerd started here is
# stopped again at the end (hack/docker-down.sh: only the one it started).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=""
if ! timeout 10 docker version >/dev/null 2>&1; then started=1; fi
cleanup() { if [ -n "${started}" ]; then bash hack/docker-down.sh; fi; }
trap cleanup EXIT
bash hack/compose-up.sh --images
node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects compose --runInBand "$@"

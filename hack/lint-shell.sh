#!/usr/bin/env bash
# Runs shellcheck over every shell script in the repository (hack/, test/, bench/, .ci/run), with the
# settings in .shellcheckrc. Part of the lint tier of `npm test` (`npm run lint`).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v shellcheck >/dev/null 2>&1 || { echo "shellcheck is missing: bash hack/setup.sh installs it (Debian package shellcheck)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.sh' .ci/run)
shellcheck -x "${files[@]}"
echo "shellcheck: ${#files[@]} scripts clean"

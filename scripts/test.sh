#!/usr/bin/env bash
# Builds everything and runs the whole test suite.
#   --fast   only the unit and integration tests (ctest labels; tests/CMakeLists.txt lists them)
set -euo pipefail
cd "$(dirname "$0")/.."
labels=()
case "${1:-}" in
  --fast) labels=(-L '^(unit|integration)$') ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--fast]" >&2; exit 2 ;;
esac
bash scripts/build.sh
cd build
ACTORFLOW_LOG_LEVEL=${ACTORFLOW_LOG_LEVEL:-warn} ctest --output-on-failure --timeout 300 -j2 "${labels[@]}"

#!/usr/bin/env bash
# Builds everything and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ACTORFLOW_LOG_LEVEL=${ACTORFLOW_LOG_LEVEL:-warn} ctest --output-on-failure --timeout 300 -j2

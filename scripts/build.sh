#!/usr/bin/env bash
# Installs missing packages, configures and builds (-j2) into build/. Arguments: targets (default all).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -eq 0 ]; then
  cmake --build build -j2
else
  cmake --build build -j2 --target "$@"
fi

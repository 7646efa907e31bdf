#!/usr/bin/env bash
# Builds the Debian package: build/actorflow_<version>_amd64.deb (cmake/Package.cmake). Builds what
# the package holds into build/ (-j2), then runs cpack there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target actorflow-node actorflow actorflow_actors actorflow_testing
cd build
cpack -G DEB
ls -l actorflow_*.deb

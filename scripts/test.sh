#!/usr/bin/env bash
# Builds everything and runs the whole test suite.
#   --fast                only the unit and integration tests (ctest labels; tests/CMakeLists.txt lists them)
#   --sanitize address    ASan + UBSan build in build-address/, then the unit and integration tests
#   --sanitize thread     TSan build in build-thread/, then the unit and integration tests (the
#                         process, cluster, browser and fault tests are left out: real processes
#                         under TSan are too slow for their deadlines)
set -euo pipefail
cd "$(dirname "$0")/.."
labels=()
sanitizer=""
case "${1:-}" in
  --fast) labels=(-L '^(unit|integration)$') ;;
  --sanitize)
    sanitizer="${2:-}"
    case "$sanitizer" in
      address|thread) labels=(-L '^(unit|integration)$') ;;
      *) echo "usage: scripts/test.sh --sanitize address|thread" >&2; exit 2 ;;
    esac ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--fast | --sanitize address|thread]" >&2; exit 2 ;;
esac
if [ -z "$sanitizer" ]; then
  bash scripts/build.sh
  cd build
else
  bash scripts/install-deps.sh
  cmake -S . -B "build-$sanitizer" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACTORFLOW_SANITIZE="$sanitizer" >/dev/null
  cmake --build "build-$sanitizer" -j2
  cd "build-$sanitizer"
  supp="$(pwd)/../tests/sanitizers"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export TSAN_OPTIONS="suppressions=$supp/tsan.supp:halt_on_error=1:second_deadlock_stack=1"
fi
ACTORFLOW_LOG_LEVEL=${ACTORFLOW_LOG_LEVEL:-warn} ctest --output-on-failure --timeout 300 -j2 "${labels[@]}"

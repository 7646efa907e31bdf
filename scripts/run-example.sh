#!/usr/bin/env bash
# The main job: builds and runs the order saga example on one node. Extra arguments go to the
# example (see build/examples/order_saga/order_saga --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh order_saga
exec build/examples/order_saga/order_saga "$@"

#!/usr/bin/env bash
# Builds and runs the end-to-end benchmark (tests/bench/README.md): the order-saga shape (3
# sequential steps, trivial handlers, write-ahead on) on the memory, SQLite and Redis stores (a
# redis-server is started on a free loopback port), the CAF and Redis limits measured in the same
# run, memory per in-flight workflow, idle CPU of an engine and of actorflow-node. Prints Markdown
# tables (docs/BENCHMARKS.md); takes about 75 s after the build. Extra arguments go to
# bench_workflows, e.g. --duration 10, --store redis, --json results.json (--help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target bench_workflows actorflow-node
echo "bench: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine changes the figures)" >&2
exec build/tests/bench/bench_workflows --node build/nodes/daemon/actorflow-node "$@"

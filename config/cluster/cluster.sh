#!/usr/bin/env bash
# A local 3-node Actorflow cluster on loopback: one redis-server (127.0.0.1:6390) and three
# actorflow-node processes (HTTP 8081-8083, cluster 7401-7403) from config/cluster/node-*.yaml,
# talking mutual TLS with certificates of a private CA (made by make-certs.sh in build/cluster/certs
# at the first start).
#   bash config/cluster/cluster.sh start    # builds what is missing, starts Redis and the nodes
#   bash config/cluster/cluster.sh status   # members and shard owners, as node-1 sees them
#   bash config/cluster/cluster.sh stop     # drains the nodes (SIGTERM), then stops Redis
# Logs, pid files, certificates and Redis' data go to build/cluster/. Run from anywhere in the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
run_dir=build/cluster
redis_port=6390
nodes=(node-1 node-2 node-3)

http_port() { echo "808${1#node-}"; }

cli() {  # <node> <command...>
  local node=$1; shift
  build/nodes/cli/actorflow --node "http://127.0.0.1:$(http_port "$node")" "$@"
}

wait_healthy() {  # <node>
  local port; port=$(http_port "$1")
  for _ in $(seq 1 100); do
    if cli "$1" stats >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$(cat "$run_dir/$1.pid")" 2>/dev/null; then
      echo "cluster: $1 exited; its log:" >&2; tail -20 "$run_dir/$1.log" >&2; return 1
    fi
    sleep 0.1
  done
  echo "cluster: $1 did not answer on port $port; see $run_dir/$1.log" >&2
  return 1
}

start() {
  if [ ! -x build/nodes/daemon/actorflow-node ] || [ ! -x build/nodes/cli/actorflow ] ||
     [ ! -f build/examples/order_saga_plugin/liborder_saga_handlers.so ]; then
    bash scripts/build.sh actorflow-node actorflow order_saga_handlers
  fi
  mkdir -p "$run_dir"
  bash config/cluster/make-certs.sh "$run_dir/certs" "${nodes[@]}" >/dev/null
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$PWD/$run_dir" --appendonly yes --appendfsync always \
      --daemonize yes --pidfile "$PWD/$run_dir/redis.pid" --logfile "$PWD/$run_dir/redis.log"
    for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    echo "cluster: redis-server on 127.0.0.1:$redis_port"
  fi
  for node in "${nodes[@]}"; do
    if [ -f "$run_dir/$node.pid" ] && kill -0 "$(cat "$run_dir/$node.pid")" 2>/dev/null; then
      echo "cluster: $node runs already"; continue
    fi
    build/nodes/daemon/actorflow-node --config "config/cluster/$node.yaml" >>"$run_dir/$node.log" 2>&1 &
    echo $! >"$run_dir/$node.pid"
  done
  for node in "${nodes[@]}"; do
    wait_healthy "$node"
    echo "cluster: $node serves http://127.0.0.1:$(http_port "$node") (log: $run_dir/$node.log)"
  done
}

status() {
  cli node-1 cluster
}

stop() {
  for node in "${nodes[@]}"; do
    [ -f "$run_dir/$node.pid" ] && kill -TERM "$(cat "$run_dir/$node.pid")" 2>/dev/null || true
  done
  for node in "${nodes[@]}"; do
    [ -f "$run_dir/$node.pid" ] || continue
    pid=$(cat "$run_dir/$node.pid")
    for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$run_dir/$node.pid"
    echo "cluster: $node stopped"
  done
  if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-cli -p "$redis_port" shutdown >/dev/null 2>&1 || true
    echo "cluster: redis-server stopped"
  fi
}

case "${1:-}" in
  start) start ;;
  status) status ;;
  stop) stop ;;
  *) echo "usage: bash config/cluster/cluster.sh start|status|stop" >&2; exit 2 ;;
esac

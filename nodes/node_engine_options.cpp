// What a checked NodeConfig gives the engine: its options, its store and its cluster.
#include "host_port.hpp"
#include "node_config.hpp"

#include <actorflow/cluster_security.hpp>
#include <actorflow/store.hpp>

namespace actorflow::node {

std::vector<std::string> cluster_tls_problems(const NodeConfig& config) {
  if (!config.cluster_enabled || !config.cluster_tls.enabled()) return {};
  const auto problem = check_cluster_tls(config.cluster_tls);
  if (!problem) return {};
  const auto at = config.cluster_tls_locations.find(problem->field);
  const auto section = config.cluster_tls_locations.find("tls");
  const std::string where = at != config.cluster_tls_locations.end()        ? at->second + ": "
                            : section != config.cluster_tls_locations.end() ? section->second + ": "
                                                                            : "";
  return {where + "cluster.tls." + problem->field + ": " + problem->message};
}

StoreSettings store_settings(const NodeConfig& config) {
  return StoreSettings{config.durability, config.redis_replicas_min, config.node_id};
}

EngineOptions engine_options(const NodeConfig& config) {
  return engine_options(config, open_store(config.store, store_settings(config)));
}

EngineOptions engine_options(const NodeConfig& config, std::shared_ptr<Store> store) {
  EngineOptions options;
  options.store = std::move(store);
  options.step_timeout_default = config.step_timeout_default;
  options.retry_default.retries_max = config.retries_max;
  options.retry_default.interval_initial = config.retry_backoff_initial;
  options.retry_default.interval_max = config.retry_backoff_max;
  options.retry_default.multiplier = config.retry_backoff_multiplier;
  options.retry_default.jitter = config.retry_jitter;
  options.strategy_default = config.strategy_default;
  options.step_workers = config.step_workers;
  options.step_queue_max = config.step_queue_max;
  options.scheduler_threads = config.scheduler_threads;
  options.instance_restarts_max = config.instance_restarts_max;
  options.instance_restart_period = config.instance_restart_period;
  options.breaker_waits_max = config.breaker_waits_max;
  options.crash_attempts_max = config.crash_attempts_max;
  options.passivate_after = config.passivate_after;
  options.wake_poll_interval = config.wake_poll_interval;
  options.node_id = config.node_id;
  options.durability = config.durability;
  options.store_wait_max = config.store_wait_max;
  if (config.cluster_enabled) {
    ClusterOptions cluster;
    cluster.coordination = open_coordination(config.store);
    cluster.shards = config.shards;
    const auto listen = parse_host_port(config.cluster_listen);
    cluster.listen_host = listen->host;
    cluster.listen_port = static_cast<uint16_t>(listen->port);
    cluster.advertise_host = config.cluster_advertise;
    cluster.lease_ttl = config.lease_ttl;
    cluster.heartbeat_interval = config.heartbeat_interval;
    cluster.peer_timeout = config.peer_timeout;
    cluster.route_timeout = config.route_timeout;
    cluster.handoff_timeout = config.handoff_timeout;
    cluster.outage_grace = config.outage_grace;
    cluster.remote_handlers = config.remote_handlers;
    cluster.tls = config.cluster_tls;
    cluster.allow_insecure = config.cluster_allow_insecure;
    cluster.max_message_bytes = static_cast<size_t>(config.cluster_max_message_bytes);
    options.cluster = std::move(cluster);
  }
  options.chaos = config.chaos;
  return options;
}

}  // namespace actorflow::node

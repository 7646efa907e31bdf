#pragma once
// The node daemon's configuration: one YAML file (config/node.yaml documents every key). Loading
// checks the whole file and reports every problem at once, each naming the file, line and column,
// the key, and what is accepted, e.g.
//   node.yaml:7:11: cluster.shards: expected an integer from 1 to 4096, got '0'
//   node.yaml:3:3: cluster.shard: unknown key; expected one of enabled, listen, ... in cluster (did you mean 'shards'?)
// so a node refuses to start on an unknown key or a bad value instead of running with a guess.
#include <actorflow/chaos.hpp>
#include <actorflow/clock.hpp>
#include <actorflow/actorflow.hpp>
#include <actorflow/error_strategy.hpp>
#include <actorflow/limits.hpp>

#include "isolation/isolation_limits.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace actorflow::node {

// Durations are written as in workflow definitions (actorflow/duration.hpp): an integer and a
// unit, ms s m h d, several may follow each other ("500ms", "30s", "5m", "2h", "1h30m").

// How a plugin's handlers run: in the node's process (a crash of a handler is the node's), or in
// child worker processes the node starts, watches and restarts (nodes/isolation/worker_pool.hpp:
// a crash costs one attempt).
enum class PluginIsolation { in_process, process };

// One entry of node.plugins: a handler plugin (a shared library, see actorflow/plugin.hpp). Written
// as a path (in_process), or as a map {path: ..., isolation: in_process|process, workers: N,
// frame_bytes_max: B, queue_max: Q}; the last three only with isolation: process.
struct PluginEntry {
  std::string path;      // as written; relative paths are relative to the current directory
  std::string location;  // where it is written, "file:line:column", for errors found when loading it
  PluginIsolation isolation = PluginIsolation::in_process;      // node.plugins[i].isolation
  int workers = isolation::kWorkersDefault;                     // node.plugins[i].workers: 1..64
  size_t frame_bytes_max = isolation::kFrameBytesDefault;       // node.plugins[i].frame_bytes_max: 1 KiB..1 GiB
  int queue_max = isolation::kQueueDefault;                     // node.plugins[i].queue_max: 1..10,000,000

  bool operator==(const PluginEntry&) const = default;
};

// The node's settings. The comments name the YAML key of each; the plain ones (numbers, durations,
// booleans, words) have their defaults, ranges and docs in one table, node_settings.hpp, which
// the constructor takes the defaults from.
struct NodeConfig {
  NodeConfig();

  // node:
  std::string node_id;                             // node.id (required): [A-Za-z0-9._-], at most 64
  std::string workflows_dir = "config/workflows";  // node.workflows_dir
  Millis drain_timeout;                            // node.drain_timeout
  std::vector<PluginEntry> plugins;                // node.plugins: loaded in order, at most kPluginsMax

  // http: / cluster: (addresses are host:port, loopback unless configured otherwise)
  std::string http_listen = "127.0.0.1:8080";  // http.listen; port 0: any free port (the node logs it)
  // http: the API server's limits (actorflow/limits.hpp: what exceeding one causes)
  int http_body_bytes_max;           // http.body_bytes_max
  int http_header_bytes_max;         // http.header_bytes_max
  int http_connections_max;          // http.connections_max
  Millis http_header_timeout;        // http.header_timeout
  Millis http_body_timeout;          // http.body_timeout
  Millis http_keep_alive_timeout;    // http.keep_alive_timeout
  int http_keep_alive_requests_max;  // http.keep_alive_requests_max
  int http_workers;                  // http.workers
  int http_queue_max;                // http.queue_max
  int json_depth_max;                // limits.json_depth_max
  bool cluster_enabled;                           // cluster.enabled
  std::string cluster_listen = "127.0.0.1:7400";  // cluster.listen; port 0: any free port (logged)
  std::string cluster_advertise;                  // cluster.advertise: the host other nodes connect to
                                                  // (empty: cluster.listen's host)
  int shards;                                     // cluster.shards
  Millis lease_ttl;                               // cluster.lease_ttl
  Millis heartbeat_interval;                      // cluster.heartbeat_interval: <= lease_ttl / 2
  Millis peer_timeout;                            // cluster.peer_timeout
  Millis route_timeout;                           // cluster.route_timeout
  Millis handoff_timeout;                         // cluster.handoff_timeout
  Millis outage_grace;                            // cluster.outage_grace
  std::vector<std::string> remote_handlers;       // cluster.remote_handlers: run by other nodes
  ClusterTls cluster_tls;                         // cluster.tls.{cert_file,key_file,ca_file}: mutual TLS
  std::map<std::string, std::string> cluster_tls_locations;  // "file:line:column" of tls and each of its keys
  bool cluster_allow_insecure;                    // cluster.allow_insecure: plaintext beyond loopback
  int cluster_max_message_bytes;                  // cluster.max_message_bytes

  // http.allow_unauthenticated / http.tls / auth: (nodes/auth/; README "Security")
  bool http_allow_unauthenticated;          // http.allow_unauthenticated
  std::string http_tls_cert_file;           // http.tls.cert_file: PEM certificate (chain after it); with key_file
  std::string http_tls_key_file;            // http.tls.key_file: PEM private key, unencrypted
  std::string http_tls_client_ca_file;      // http.tls.client_ca_file: clients must present a certificate it signed
  std::string auth_tokens_file;             // auth.tokens_file: `role name token` lines; empty: no tokens
  std::vector<std::string> auth_open_routes{"/healthz"};  // auth.open_routes: of /healthz, /metrics
  int auth_failed_attempts_max;             // auth.failed_attempts_max: per client address
  Millis auth_failed_attempts_window;       // auth.failed_attempts_window

  // store: one spec as actorflow::open_store takes it, or a map of it (store.spec) and:
  std::string store = "sqlite:actorflow.db";  // store, or store.spec
  Durability durability;                      // store.durability (store.hpp)
  int redis_replicas_min;                     // store.redis_replicas_min: WAIT after each commit
  Millis store_wait_max;                      // store.wait_max

  // defaults: for steps and workflows that do not set their own (EngineOptions' names)
  Millis step_timeout_default;      // defaults.step_timeout
  int retries_max;                  // defaults.retries_max
  Millis retry_backoff_initial;     // defaults.retry_backoff_initial
  Millis retry_backoff_max;         // defaults.retry_backoff_max
  double retry_backoff_multiplier;  // defaults.retry_backoff_multiplier
  double retry_jitter;              // defaults.retry_jitter
  ErrorStrategy strategy_default;   // defaults.error_strategy

  // engine: limits and timings of the workflow engine
  int step_workers;                       // engine.step_workers
  int step_queue_max;                     // engine.step_queue_max
  int scheduler_threads;                  // engine.scheduler_threads
  int instance_restarts_max;              // engine.instance_restarts_max
  Millis instance_restart_period;         // engine.instance_restart_period
  int breaker_waits_max;                  // engine.breaker_waits_max
  int crash_attempts_max;                 // engine.crash_attempts_max
  std::optional<Millis> passivate_after;  // engine.passivate_after: a duration or "never"
  Millis wake_poll_interval;              // engine.wake_poll_interval

  // log:
  std::string log_level;   // log.level
  std::string log_format;  // log.format

  // chaos: a chaos config file (actorflow/chaos.hpp; format in config/workflows/README.md), read
  // with the node config, its problems reported with it. Empty: no chaos.
  std::string chaos_file;  // chaos
  ChaosConfig chaos;       // what chaos_file holds
};

inline constexpr size_t kPluginsMax = 64;

struct NodeConfigResult {
  std::optional<NodeConfig> config;   // set exactly when `problems` is empty
  std::vector<std::string> problems;  // every problem in the file, in file order where possible
};

// Reads and checks the YAML file at `path`; problems name `path` as given. Never throws.
NodeConfigResult load_node_config_file(const std::string& path);

// Checks YAML `text`; problems name `source_name` (e.g. the file it came from). Never throws.
NodeConfigResult load_node_config_yaml(std::string_view text, const std::string& source_name);

// Problems of the cluster.tls files (actorflow::check_cluster_tls: loaded as the node will use
// them), each naming where its key is; checked at start (and by --check), not when the config is
// read, as plugins are. Empty without cluster.enabled or cluster.tls.
std::vector<std::string> cluster_tls_problems(const NodeConfig& config);

// The engine options a node runs with: the defaults, limits and timings of `config`, its node id,
// its cluster options (cluster.enabled: coordination on the same Redis as the store), and its
// store, opened here with actorflow::open_store (throws std::invalid_argument for a malformed spec
// and StoreUnavailable when the store cannot be opened). The clock is left unset: the real clock.
EngineOptions engine_options(const NodeConfig& config);
// How the node opens its store (durability, replicas, its node id in the SQLite lock file).
StoreSettings store_settings(const NodeConfig& config);
// The same with `store` instead of the configured one (e.g. a memory store for a dry run).
EngineOptions engine_options(const NodeConfig& config, std::shared_ptr<Store> store);

}  // namespace actorflow::node

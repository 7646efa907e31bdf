// Reading the node config with the shared reader (libactors/src/config/): the plain settings from
// the table (node_settings.hpp), then the values of their own form (ids, addresses, paths, the
// store, plugins, TLS) and the checks across values.
#include "node_config.hpp"

#include "host_port.hpp"
#include "node_settings.hpp"

#include "config/document.hpp"
#include "config/map_fields.hpp"
#include "config/scalars.hpp"

#include <actorflow/cluster_security.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace actorflow::node {
namespace {

using config::MapFields;
using config::MapShape;
using config::Naming;
using config::Source;
using config::Value;
using config::Words;

constexpr std::string_view kNoun = "node config";
constexpr size_t kNodeIdCharsMax = 64;
constexpr size_t kRemoteHandlersMax = 1024;

constexpr std::string_view kTopKeys[]{"node", "http", "cluster", "store", "defaults", "engine", "log", "chaos", "auth",
                                      "limits"};
constexpr std::string_view kNodeKeys[]{"id", "workflows_dir", "drain_timeout", "plugins"};
constexpr std::string_view kHttpKeys[]{"listen", "allow_unauthenticated", "tls", "body_bytes_max", "header_bytes_max",
                                       "connections_max", "header_timeout", "body_timeout", "keep_alive_timeout",
                                       "keep_alive_requests_max", "workers", "queue_max"};
constexpr std::string_view kHttpTlsKeys[]{"cert_file", "key_file", "client_ca_file"};
constexpr std::string_view kAuthKeys[]{"tokens_file", "open_routes", "failed_attempts_max", "failed_attempts_window"};
constexpr std::string_view kOpenableRoutes[]{"/healthz", "/metrics"};
constexpr std::string_view kLimitsKeys[]{"json_depth_max"};
constexpr std::string_view kClusterKeys[]{"enabled",         "listen",       "advertise",       "shards",
                                          "lease_ttl",       "heartbeat_interval", "peer_timeout", "route_timeout",
                                          "handoff_timeout", "outage_grace", "remote_handlers", "tls",
                                          "allow_insecure",  "max_message_bytes"};
constexpr std::string_view kClusterTlsKeys[]{"cert_file", "key_file", "ca_file"};
constexpr std::string_view kStoreKeys[]{"spec", "durability", "redis_replicas_min", "wait_max"};
constexpr std::string_view kDefaultsKeys[]{"step_timeout",          "retries_max",       "error_strategy",
                                           "retry_backoff_initial", "retry_backoff_max", "retry_backoff_multiplier",
                                           "retry_jitter"};
constexpr std::string_view kEngineKeys[]{"step_workers",          "step_queue_max",          "scheduler_threads",
                                         "instance_restarts_max", "instance_restart_period", "breaker_waits_max",
                                         "passivate_after",       "wake_poll_interval",      "crash_attempts_max"};
constexpr std::string_view kLogKeys[]{"level", "format"};
constexpr std::string_view kPluginKeys[]{"path", "isolation", "workers", "frame_bytes_max", "queue_max"};
constexpr std::string_view kIsolations[]{"in_process", "process"};
constexpr std::string_view kStoreExpected = "memory, sqlite:<path> or redis:<host>:<port>[:<prefix>]";

// A map of the config, its values named by their key paths; an empty one (`log:`) is empty.
MapFields section(const Source& source, Value value, Words keys, std::string what) {
  return MapFields(source, std::move(value), MapShape{{keys.begin(), keys.end()}, std::move(what), Naming::path, true});
}

void read_setting(const NodeSetting& setting, MapFields& fields, NodeConfig& config) {
  const std::string_view key = setting.name();
  std::visit(Overloaded{
                 [&](const IntegerSetting& s) {
                   if (auto v = fields.integer(key, s.min, s.max)) config.*s.field = static_cast<int>(*v);
                 },
                 [&](const NumberSetting& s) {
                   if (auto v = fields.number(key, s.min, s.max, s.max_excluded)) config.*s.field = *v;
                 },
                 [&](const BooleanSetting& s) {
                   if (auto v = fields.boolean(key)) config.*s.field = *v;
                 },
                 [&](const DurationSetting& s) {
                   if (auto v = fields.duration(key, s.min, s.max)) config.*s.field = *v;
                 },
                 [&](const DurationOrNeverSetting& s) {
                   if (auto v = fields.duration_or_never(key, s.min, s.max)) config.*s.field = *v;
                 },
                 [&](const auto& s) {
                   if (auto v = fields.choice(key, s.words, s.parse)) config.*s.field = *v;
                 },
             },
             setting.kind);
}

// The table's settings of the section `fields` is.
void read_settings(MapFields& fields, NodeConfig& config) {
  for (const auto& setting : node_settings())
    if (setting.section() == fields.context()) read_setting(setting, fields, config);
}

void read_text(MapFields& fields, std::string_view key, std::string& out, const std::string& expected) {
  if (auto text = fields.text(key, expected)) out = *text;
}

// host:port; port 0 is any free port.
void read_address(MapFields& fields, std::string_view key, std::string& out) {
  const std::string expected = "host:port (e.g. 127.0.0.1:8080 or [::1]:8080)";
  const auto text = fields.text(key, expected);
  if (!text) return;
  const auto parsed = parse_host_port(*text);
  if (!parsed) return fields.bad(key, expected);
  if (parsed->port < 0) return fields.bad(key, "host:port with a port from 0 (any free port) to 65535");
  out = *text;
}

// A list of at most `max` distinct non-empty names (an empty value: none); nothing when absent or
// refused.
std::optional<std::vector<std::string>> read_names(const Source& source, MapFields& fields, std::string_view key,
                                                   size_t max, const std::string& what) {
  const Value list = fields.child(key);
  if (!list.node.IsDefined()) return std::nullopt;
  if (list.node.IsNull()) return std::vector<std::string>{};
  if (!list.node.IsSequence()) {
    fields.bad(key, "a list of " + what + " (e.g. [payment.charge, payment.refund])");
    return std::nullopt;
  }
  if (list.node.size() > max) {
    source.report(list.mark, list.name, "expected at most " + std::to_string(max) + " entries, got " +
                                            std::to_string(list.node.size()));
    return std::nullopt;
  }
  std::vector<std::string> names;
  bool ok = true;
  for (size_t i = 0; i < list.node.size(); ++i) {
    const Value item = Value::unkeyed(list.name + "[" + std::to_string(i) + "]", list.node[i], list.mark);
    const bool named = item.node.IsScalar() && !item.node.Scalar().empty();
    const bool repeated = named && std::find(names.begin(), names.end(), item.node.Scalar()) != names.end();
    if (!named || repeated) {
      config::report_bad(source, item, named ? "each name once" : "a name");
      ok = false;
    } else {
      names.push_back(item.node.Scalar());
    }
  }
  if (!ok) return std::nullopt;
  return names;
}

// A spec as open_store takes it, checked without opening anything.
void read_store_spec(MapFields& fields, std::string_view key, std::string& out) {
  const std::string expected(kStoreExpected);
  const auto text = fields.text(key, expected);
  if (!text) return;
  const std::string& spec = *text;
  if (spec == "memory" || (spec.rfind("sqlite:", 0) == 0 && spec.size() > 7)) {
    out = spec;
    return;
  }
  if (spec.rfind("redis:", 0) != 0) return fields.bad(key, expected);
  const std::string_view rest = std::string_view(spec).substr(6);  // <host>:<port>[:<prefix>]
  const size_t host_end = rest.find(':');
  std::string_view port = host_end == std::string_view::npos ? "" : rest.substr(host_end + 1);
  port = port.substr(0, port.find(':'));
  const auto port_value = config::scalar_integer(port);
  if (host_end == std::string_view::npos || host_end == 0 || !port_value || *port_value < 1 || *port_value > 65535)
    return fields.bad(key, "redis:<host>:<port>[:<prefix>] with a port from 1 to 65535");
  out = spec;
}

void read_node_id(MapFields& node, NodeConfig& config) {
  const std::string expected =
      "the node's id: 1 to " + std::to_string(kNodeIdCharsMax) + " letters, digits, '.', '_' or '-'";
  if (!node.require("id", expected)) return;
  const auto text = node.text("id", expected);
  if (!text) return;
  const bool ok = text->size() <= kNodeIdCharsMax && std::all_of(text->begin(), text->end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) return node.bad("id", expected);
  config.node_id = *text;
}

// One entry of node.plugins given as a map: its path and how its handlers run.
std::optional<PluginEntry> read_plugin_map(const Source& source, const Value& item) {
  auto fields = MapFields(source, item, MapShape{{std::begin(kPluginKeys), std::end(kPluginKeys)}, "plugin settings",
                                                  Naming::path});
  const std::string expected = "a plugin path (a shared library file)";
  PluginEntry entry;
  if (!fields.require("path", expected)) return std::nullopt;
  const auto path = fields.text("path", expected);
  if (!path) return std::nullopt;
  entry.path = *path;
  const auto isolation = fields.word("isolation", kIsolations);
  if (fields.failed("isolation")) return std::nullopt;
  entry.isolation = isolation == "process" ? PluginIsolation::process : PluginIsolation::in_process;
  if (auto v = fields.integer("workers", isolation::kWorkersMin, isolation::kWorkersMax))
    entry.workers = static_cast<int>(*v);
  if (auto v = fields.integer("frame_bytes_max", static_cast<int64_t>(isolation::kFrameBytesMin),
                              static_cast<int64_t>(isolation::kFrameBytesMax)))
    entry.frame_bytes_max = static_cast<size_t>(*v);
  if (auto v = fields.integer("queue_max", isolation::kQueueMin, isolation::kQueueMax))
    entry.queue_max = static_cast<int>(*v);
  for (const char* key : {"workers", "frame_bytes_max", "queue_max"}) {
    if (entry.isolation == PluginIsolation::in_process && fields.has(key)) {
      fields.report(key, "only with isolation: process (this plugin runs in the node's process)");
      return std::nullopt;
    }
  }
  for (const char* key : {"workers", "frame_bytes_max", "queue_max"})
    if (fields.failed(key)) return std::nullopt;
  return entry;
}

// node.plugins: a list of shared-library paths, or maps with a path (see PluginEntry). Whether each
// file exists is checked when the node loads it (the error then names the entry's location), not
// here: the config stays readable without the build that makes the plugins.
void read_plugins(const Source& source, MapFields& node, NodeConfig& config) {
  const Value list = node.child("plugins");
  if (!list.node.IsDefined() || list.node.IsNull()) return;
  if (!list.node.IsSequence())
    return node.bad("plugins",
                    "a list of plugin paths (shared libraries, e.g. [build/libhandlers.so]) or of maps "
                    "{path: ..., isolation: process, workers: 2}");
  if (list.node.size() > kPluginsMax)
    return source.report(list.mark, list.name, "expected at most " + std::to_string(kPluginsMax) + " plugins, got " +
                                                   std::to_string(list.node.size()));
  std::vector<PluginEntry> plugins;
  std::set<std::string> seen;
  for (size_t i = 0; i < list.node.size(); ++i) {
    const Value item = Value::unkeyed(list.name + "[" + std::to_string(i) + "]", list.node[i], list.mark);
    std::optional<PluginEntry> entry;
    if (item.node.IsMap()) {
      entry = read_plugin_map(source, item);
    } else if (item.node.IsScalar() && !item.node.Scalar().empty()) {
      entry = PluginEntry{};
      entry->path = item.node.Scalar();
    } else {
      config::report_bad(source, item, "a plugin path (a shared library file) or a map {path: ..., isolation: ...}");
    }
    if (!entry) continue;
    if (!seen.insert(entry->path).second) {
      config::report_bad(source, item, "each plugin once");
      continue;
    }
    entry->location = source.at(item.mark);
    plugins.push_back(std::move(*entry));
  }
  config.plugins = std::move(plugins);
}

// cluster.tls; with cluster.enabled, a plaintext gateway beyond loopback is refused. The TLS files
// are read at start (cluster_tls_problems), as plugins are.
void read_cluster_security(const Source& source, MapFields& cluster, NodeConfig& config) {
  auto tls = section(source, cluster.child("tls"), kClusterTlsKeys, "PEM files");
  bool any = false;
  for (const auto& [key, out] : {std::pair{"cert_file", &config.cluster_tls.cert_file},
                                 std::pair{"key_file", &config.cluster_tls.key_file},
                                 std::pair{"ca_file", &config.cluster_tls.ca_file}}) {
    if (!tls.has(key)) continue;
    any = true;
    read_text(tls, key, *out, "the path of a PEM file");
    config.cluster_tls_locations[key] = source.at(tls.mark_of(key));
  }
  if (any) {
    config.cluster_tls_locations["tls"] = source.at(tls.mark());
    for (const auto key : kClusterTlsKeys)
      if (!tls.has(key))
        source.report(tls.mark(), tls.name_of(key),
                      "missing; expected cert_file, key_file and ca_file together (PEM files)");
  }
  const auto listen = parse_host_port(config.cluster_listen);
  if (!config.cluster_enabled || config.cluster_tls.enabled() || config.cluster_allow_insecure || !listen ||
      !cluster.has("listen") || cluster.failed("listen") || is_loopback_host(listen->host))
    return;
  cluster.report("listen", config.cluster_listen +
                               " is not a loopback address; expected cluster.tls (cert_file, key_file, ca_file: mutual "
                               "TLS between the nodes), or cluster.allow_insecure: true to take plaintext from any "
                               "peer that reaches the port");
}

void read_cluster(const Source& source, MapFields& cluster, NodeConfig& config) {
  read_settings(cluster, config);
  read_address(cluster, "listen", config.cluster_listen);
  if (auto text = cluster.text("advertise", "a host name or address other nodes reach this one at (e.g. 10.0.0.5)")) {
    if (text->find_first_of(" \t/") != std::string::npos)
      cluster.bad("advertise", "a host name or address other nodes reach this one at (e.g. 10.0.0.5)");
    else
      config.cluster_advertise = *text;
  }
  if (auto names = read_names(source, cluster, "remote_handlers", kRemoteHandlersMax, "handler names"))
    config.remote_handlers = std::move(*names);
  read_cluster_security(source, cluster, config);
  if (config.heartbeat_interval * 2 > config.lease_ttl && !cluster.failed("heartbeat_interval") &&
      !cluster.failed("lease_ttl")) {
    if (cluster.has("heartbeat_interval"))
      cluster.bad("heartbeat_interval",
                  "a duration of at most half of cluster.lease_ttl (" + duration_text(config.lease_ttl) + ")");
    else
      cluster.bad("lease_ttl", "a duration of at least twice cluster.heartbeat_interval (" +
                                   duration_text(config.heartbeat_interval) + ")");
  }
}

// http.tls, http.allow_unauthenticated and auth: (nodes/auth/). Files are read when the node
// starts (their problems refuse it then), not here.
void read_security(const Source& source, MapFields& http, MapFields& auth, NodeConfig& config) {
  if (http.has("tls")) {
    const Value tls_value = http.child("tls");
    auto tls = section(source, tls_value, kHttpTlsKeys, "TLS settings");
    read_text(tls, "cert_file", config.http_tls_cert_file, "a PEM certificate file");
    read_text(tls, "key_file", config.http_tls_key_file, "a PEM private key file");
    read_text(tls, "client_ca_file", config.http_tls_client_ca_file, "a PEM CA certificate file");
    const bool cert = !config.http_tls_cert_file.empty(), key = !config.http_tls_key_file.empty();
    if (cert != key && !tls.failed("cert_file") && !tls.failed("key_file"))
      source.report(tls_value.key_mark, tls_value.name,
                    std::string(cert ? "key_file" : "cert_file") + " missing; expected both cert_file and key_file");
    if (!cert && !config.http_tls_client_ca_file.empty())
      source.report(tls_value.key_mark, tls_value.name,
                    "client_ca_file without cert_file; expected cert_file and key_file too");
  }
  read_text(auth, "tokens_file", config.auth_tokens_file, "the path of an API tokens file");
  if (auth.has("open_routes")) {
    const auto routes = read_names(source, auth, "open_routes", std::size(kOpenableRoutes),
                                   "paths served without a token (/healthz, /metrics)");
    const auto openable = [](const std::string& route) {
      return std::find(std::begin(kOpenableRoutes), std::end(kOpenableRoutes), route) != std::end(kOpenableRoutes);
    };
    if (routes && !std::all_of(routes->begin(), routes->end(), openable))
      auth.bad("open_routes", "a list of paths among " + config::join(kOpenableRoutes) + " (e.g. [/healthz])");
    else if (routes)
      config.auth_open_routes = *routes;
  }
  read_settings(auth, config);
  const auto address = parse_host_port(config.http_listen);
  if (http.has("listen") && address && !http.failed("listen") && !is_loopback_host(address->host) &&
      config.auth_tokens_file.empty() && !config.http_allow_unauthenticated)
    http.report("listen", config.http_listen +
                              " is not a loopback address; listening beyond loopback needs auth.tokens_file (API "
                              "tokens), or http.allow_unauthenticated: true to serve anyone who reaches the port");
}

// store: a spec, or a map of the spec and how the store is used.
std::optional<MapFields> read_store(const Source& source, MapFields& top, NodeConfig& config) {
  if (!top.value("store").IsMap()) {
    read_store_spec(top, "store", config.store);
    return std::nullopt;
  }
  std::optional<MapFields> store;
  store.emplace(section(source, top.child("store"), kStoreKeys, "store settings"));
  if (store->require("spec", std::string(kStoreExpected))) read_store_spec(*store, "spec", config.store);
  read_settings(*store, config);
  return store;
}

// chaos: the path of a chaos config file, loaded here so that its problems stop the node at start.
void read_chaos(const Source& source, MapFields& top, NodeConfig& config) {
  const auto path = top.text("chaos", "the path of a chaos config file (e.g. config/chaos.yaml)");
  if (!path) return;
  auto loaded = load_chaos_file(*path);
  for (const auto& problem : loaded.problems) source.report(top.mark_of("chaos"), "", "chaos: " + problem);
  if (loaded.config) {
    config.chaos_file = *path;
    config.chaos = std::move(*loaded.config);
  }
}

void check_backoff(MapFields& defaults, const NodeConfig& config) {
  if (config.retry_backoff_max >= config.retry_backoff_initial || defaults.failed("retry_backoff_initial") ||
      defaults.failed("retry_backoff_max"))
    return;
  if (defaults.has("retry_backoff_max"))
    defaults.bad("retry_backoff_max", "a duration of at least defaults.retry_backoff_initial (" +
                                          duration_text(config.retry_backoff_initial) + ")");
  else
    defaults.bad("retry_backoff_initial", "a duration of at most defaults.retry_backoff_max (" +
                                              duration_text(config.retry_backoff_max) + ")");
}

// The nodes of a cluster share one Redis store.
void check_cluster_store(MapFields& top, std::optional<MapFields>& store, MapFields& cluster, const NodeConfig& config) {
  if (!config.cluster_enabled || config.store.rfind("redis:", 0) == 0 || top.failed("store") ||
      (store && store->failed("spec")) || cluster.failed("enabled"))
    return;
  const std::string redis = "redis:<host>:<port>[:<prefix>]";
  if (store && store->has("spec")) store->bad("spec", "a " + redis + " store: the nodes of a cluster share one Redis");
  else if (top.has("store")) top.bad("store", "a " + redis + " store: the nodes of a cluster share one Redis");
  else cluster.bad("enabled", "false unless store is " + redis + " (the nodes of a cluster share one Redis)");
}

void check_listen_ports(MapFields& http, MapFields& cluster, const NodeConfig& config) {
  const auto http_address = parse_host_port(config.http_listen);
  const auto cluster_address = parse_host_port(config.cluster_listen);
  if (!http_address || !cluster_address || http_address->port <= 0 || !same_port(*http_address, *cluster_address) ||
      http.failed("listen") || cluster.failed("listen"))
    return;
  if (cluster.has("listen"))
    cluster.bad("listen", "an address whose port differs from http.listen (" + config.http_listen + ")");
  else
    http.bad("listen", "an address whose port differs from cluster.listen (" + config.cluster_listen + ")");
}

void read_config(const Source& source, const YAML::Node& document, NodeConfig& config) {
  auto top = section(source, Value::unkeyed("", document, YAML::Mark()), kTopKeys, "sections");
  const auto sub = [&](const char* name, Words keys, const char* what) {
    return section(source, top.child(name), keys, what);
  };

  auto node = sub("node", kNodeKeys, "node settings");
  if (top.is_map() && node.is_map()) read_node_id(node, config);
  read_text(node, "workflows_dir", config.workflows_dir, "a directory path");
  read_settings(node, config);
  read_plugins(source, node, config);

  auto http = sub("http", kHttpKeys, "HTTP settings");
  read_address(http, "listen", config.http_listen);
  read_settings(http, config);
  auto auth = sub("auth", kAuthKeys, "authentication settings");
  read_security(source, http, auth, config);
  auto limits_section = sub("limits", kLimitsKeys, "limits");
  read_settings(limits_section, config);

  auto cluster = sub("cluster", kClusterKeys, "cluster settings");
  read_cluster(source, cluster, config);

  auto store = top.has("store") ? read_store(source, top, config) : std::nullopt;

  auto defaults = sub("defaults", kDefaultsKeys, "step defaults");
  read_settings(defaults, config);
  auto engine = sub("engine", kEngineKeys, "engine settings");
  read_settings(engine, config);
  auto log = sub("log", kLogKeys, "log settings");
  read_settings(log, config);
  read_chaos(source, top, config);

  // Values that must agree with each other; checked only when each was read without a problem.
  check_backoff(defaults, config);
  check_cluster_store(top, store, cluster, config);
  check_listen_ports(http, cluster, config);
}

}  // namespace

NodeConfig::NodeConfig() {
  for (const auto& setting : node_settings()) apply_default(setting, *this);
}

NodeConfigResult load_node_config_yaml(std::string_view text, const std::string& source_name) {
  config::Problems problems;
  const Source source{source_name, problems};
  NodeConfig config;
  if (const auto document = config::parse_yaml_document(text, source, kNoun)) read_config(source, *document, config);
  NodeConfigResult result;
  result.problems = problems.take();
  if (result.problems.empty()) result.config = std::move(config);
  return result;
}

NodeConfigResult load_node_config_file(const std::string& path) {
  config::Problems problems;
  const auto text = config::read_yaml_file(path, kNoun, problems);
  if (!text) return NodeConfigResult{std::nullopt, problems.take()};
  return load_node_config_yaml(*text, path);
}

}  // namespace actorflow::node

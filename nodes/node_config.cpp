#include "node_config.hpp"

#include <actorflow/cluster_security.hpp>
#include <actorflow/bounded_parse.hpp>
#include <actorflow/store.hpp>
#include <actorflow/yaml_definition.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <system_error>

namespace actorflow::node {
namespace {

constexpr uintmax_t kConfigBytesMax = 1 << 20;  // a node config is a page of YAML, not a data file
constexpr size_t kNodeIdCharsMax = 64;

using Keys = std::span<const std::string_view>;

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
constexpr std::string_view kClusterKeys[]{"enabled",      "listen",        "advertise",       "shards",
                                          "lease_ttl",    "heartbeat_interval", "peer_timeout", "route_timeout",
                                          "handoff_timeout", "outage_grace", "remote_handlers", "tls", "allow_insecure",
                                          "max_message_bytes"};
constexpr std::string_view kClusterTlsKeys[]{"cert_file", "key_file", "ca_file"};
constexpr size_t kRemoteHandlersMax = 1024;
constexpr std::string_view kDefaultsKeys[]{"step_timeout",          "retries_max",       "error_strategy",
                             "retry_backoff_initial", "retry_backoff_max", "retry_backoff_multiplier",
                             "retry_jitter"};
constexpr std::string_view kEngineKeys[]{"step_workers",          "step_queue_max",          "scheduler_threads",
                           "instance_restarts_max", "instance_restart_period", "breaker_waits_max",
                           "passivate_after",       "wake_poll_interval",      "crash_attempts_max"};
constexpr std::string_view kStoreKeys[]{"spec", "durability", "redis_replicas_min", "wait_max"};
constexpr std::string_view kDurabilities[]{"process", "machine"};
constexpr std::string_view kLogKeys[]{"level", "format"};
constexpr std::string_view kLogLevels[]{"trace", "debug", "info", "warn", "error", "critical", "off"};
constexpr std::string_view kLogFormats[]{"json", "text"};
constexpr std::string_view kErrorStrategies[]{"retry", "compensate", "dead-letter", "retry-then-compensate"};

std::string join(Keys words, std::string_view separator = ", ") {
  std::string out;
  for (auto w : words) {
    if (!out.empty()) out += separator;
    out += w;
  }
  return out;
}

std::string one_of_text(Keys words) { return "one of " + join(words); }

// Edit distance, case-insensitive: how many single-character changes turn `a` into `b`.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The words of a key, sorted: "max_retries" and "retries_max" have the same.
std::vector<std::string> sorted_words(std::string_view key) {
  std::vector<std::string> words;
  std::string word;
  for (char c : key) {
    if (c == '_' || c == '-') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  std::sort(words.begin(), words.end());
  return words;
}

// The candidate `text` was probably meant as, if one is close enough: a typo of at most a third
// of its length (at least one, at most three characters), the same words in another order, or a
// part or extension of exactly one candidate.
std::optional<std::string_view> closest(std::string_view text, Keys candidates) {
  if (text.empty()) return std::nullopt;
  const size_t allowed = std::clamp<size_t>(text.size() / 3, 1, 3);
  std::optional<std::string_view> best;
  size_t best_distance = allowed + 1;
  for (auto c : candidates) {
    const size_t d = edit_distance(text, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best) return best;
  const auto words = sorted_words(text);
  for (auto c : candidates)
    if (sorted_words(c) == words) return c;
  // One contains the other, for exactly one candidate: "step_timeout" for "timeout", "warn" for
  // "warning".
  for (auto c : candidates) {
    const bool contains = (text.size() >= 4 && c.find(text) != std::string_view::npos) ||
                          (c.size() >= 4 && text.find(c) != std::string_view::npos);
    if (!contains) continue;
    if (best) return std::nullopt;
    best = c;
  }
  return best;
}

std::string did_you_mean(std::string_view text, Keys candidates) {
  const auto best = closest(text, candidates);
  return best ? " (did you mean '" + std::string(*best) + "'?)" : "";
}

// "24h", "1m", "1500ms": the biggest unit that states the duration exactly.
std::string duration_text(Millis d) {
  const int64_t ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms != 0 && ms % 1'000 == 0) return std::to_string(ms / 1'000) + "s";
  return std::to_string(ms) + "ms";
}

std::optional<int64_t> parse_integer(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

struct HostPort {
  std::string host;
  int port = 0;
};

// host:port, an IPv6 host in brackets. Nothing when the form is wrong; port -1 when it is no port
// from 0 to 65535.
std::optional<HostPort> parse_host_port(std::string_view text) {
  size_t colon = std::string_view::npos;
  HostPort out;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close == 1 || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    out.host = std::string(text.substr(0, close + 1));
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    out.host = std::string(text.substr(0, colon));
    const bool host_ok = std::all_of(out.host.begin(), out.host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
    if (!host_ok) return std::nullopt;
  }
  const std::string_view port = text.substr(colon + 1);
  const auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  if (port.empty() || !std::all_of(port.begin(), port.end(), is_digit)) return std::nullopt;
  const auto value = parse_integer(port);
  out.port = value && *value >= 0 && *value <= 65535 ? static_cast<int>(*value) : -1;
  return out;
}

std::string lowercase(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool is_wildcard_host(const std::string& host) { return host == "0.0.0.0" || host == "[::]"; }

// One value in the file: its key path ("log.level"), its node and where it is (for an empty
// value: where its key is, because yaml-cpp places nulls at the next token).
struct Value {
  std::string path;
  YAML::Node node;
  YAML::Mark mark;
  YAML::Mark key_mark;  // where its key is (for the whole file: where the file starts)
};

std::string got_text(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

class Loader {
 public:
  explicit Loader(std::string source) : source_(std::move(source)) {}

  std::vector<std::string> problems() && { return std::move(problems_); }

  void problem(const YAML::Mark& at, const std::string& what) { problems_.push_back(where(at) + ": " + what); }

  // Reports `v` as not what `expected` says; `hint` is appended (a "did you mean").
  void bad(const Value& v, const std::string& expected, const std::string& hint = "") {
    problem(v.mark, prefix(v.path) + "expected " + expected + ", got " + got_text(v.node) + hint);
    failed_.insert(v.path);
  }

  // The entries of the map `v` whose keys are among `keys`. Reports a value that is no map, an
  // unknown key, a key that is no name and a repeated key. An empty value is an empty map.
  std::map<std::string, Value> section(const Value& v, Keys keys, const std::string& what) {
    std::map<std::string, Value> entries;
    if (v.node.IsNull()) return entries;
    if (!v.node.IsMap()) {
      bad(v, "a map of " + what + " (" + join(keys) + ")");
      return entries;
    }
    // By value: yaml-cpp's it->first points into a temporary.
    for (const auto& pair : v.node) {
      const YAML::Node key = pair.first;
      const YAML::Node value = pair.second;
      if (!key.IsScalar()) {
        problem(key.Mark(), prefix(v.path) + "expected a key name, got " + got_text(key));
        continue;
      }
      const std::string& name = key.Scalar();
      const std::string path = v.path.empty() ? name : v.path + "." + name;
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
        problem(key.Mark(), path + ": unknown key; expected " + one_of_text(keys) +
                                (v.path.empty() ? "" : " in " + v.path) + did_you_mean(name, keys));
        continue;
      }
      const auto [existing, inserted] =
          entries.try_emplace(name, Value{path, value, value_mark(key, value), key.Mark()});
      if (!inserted) {
        problem(key.Mark(), path + ": repeated key (first at line " + std::to_string(existing->second.mark.line + 1) +
                                "); expected each key once");
      }
    }
    return entries;
  }

  // The text of scalar `v`, or nothing (reported) when it is no scalar.
  std::optional<std::string> scalar(const Value& v, const std::string& expected) {
    if (!v.node.IsScalar()) {
      bad(v, expected);
      return std::nullopt;
    }
    return v.node.Scalar();
  }

  void integer(const Value* v, int& out, int64_t min, int64_t max) {
    if (!v) return;
    const std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    const auto text = scalar(*v, expected);
    if (!text) return;
    const auto value = parse_integer(*text);
    if (!value || *value < min || *value > max) return bad(*v, expected);
    out = static_cast<int>(*value);
  }

  // A number in [min, max], or in [min, max) when `max_excluded`.
  void number(const Value* v, double& out, double min, double max, bool max_excluded) {
    if (!v) return;
    std::ostringstream expected;
    expected << "a number from " << min << (max_excluded ? " up to (not including) " : " to ") << max;
    const auto text = scalar(*v, expected.str());
    if (!text) return;
    const auto value = parse_number(*text);
    if (!value || *value < min || *value > max || (max_excluded && *value == max)) return bad(*v, expected.str());
    out = *value;
  }

  void duration(const Value* v, Millis& out, Millis min, Millis max) {
    if (!v) return;
    const std::string expected = duration_expected(min, max);
    const auto text = scalar(*v, expected);
    if (!text) return;
    const auto value = actorflow::parse_duration(*text);
    if (!value || *value < min || *value > max) return bad(*v, expected);
    out = *value;
  }

  // A duration, or "never" (nothing).
  void duration_or_never(const Value* v, std::optional<Millis>& out, Millis min, Millis max) {
    if (!v) return;
    const std::string expected = duration_expected(min, max) + " or never";
    const auto text = scalar(*v, expected);
    if (!text) return;
    if (*text == "never") {
      out.reset();
      return;
    }
    const auto value = actorflow::parse_duration(*text);
    if (!value || *value < min || *value > max) return bad(*v, expected);
    out = *value;
  }

  void word(const Value* v, std::string& out, Keys allowed) {
    if (!v) return;
    const auto text = scalar(*v, one_of_text(allowed));
    if (!text) return;
    if (std::find(allowed.begin(), allowed.end(), *text) == allowed.end())
      return bad(*v, one_of_text(allowed), did_you_mean(*text, allowed));
    out = *text;
  }

  // host:port; port 0 (any free port) only when `any_port_ok`.
  void address(const Value* v, std::string& out, bool any_port_ok) {
    if (!v) return;
    const std::string expected = "host:port (e.g. 127.0.0.1:8080 or [::1]:8080)";
    const auto text = scalar(*v, expected);
    if (!text) return;
    const auto parsed = parse_host_port(*text);
    if (!parsed) return bad(*v, expected);
    if (parsed->port < 0 || (parsed->port == 0 && !any_port_ok))
      return bad(*v, any_port_ok ? "host:port with a port from 0 (any free port) to 65535"
                                 : "host:port with a port from 1 to 65535");
    out = *text;
  }

  void boolean(const Value* v, bool& out) {
    if (!v) return;
    const auto text = scalar(*v, "true or false");
    if (!text) return;
    if (*text == "true") out = true;
    else if (*text == "false") out = false;
    else bad(*v, "true or false");
  }

  // A list of at most `max` distinct non-empty names.
  void names(const Value* v, std::vector<std::string>& out, size_t max, const std::string& what) {
    if (!v || v->node.IsNull()) return;
    const std::string expected = "a list of " + what + " (e.g. [payment.charge, payment.refund])";
    if (!v->node.IsSequence()) return bad(*v, expected);
    if (v->node.size() > max)
      return problem(v->mark, v->path + ": expected at most " + std::to_string(max) + " entries, got " +
                                  std::to_string(v->node.size()));
    std::vector<std::string> read;
    for (size_t i = 0; i < v->node.size(); ++i) {
      const YAML::Node entry = v->node[i];
      const Value item{v->path + "[" + std::to_string(i) + "]", entry, entry.Mark().is_null() ? v->mark : entry.Mark(),
                       v->key_mark};
      const auto text = scalar(item, "a name");
      if (!text) continue;
      if (text->empty()) bad(item, "a name");
      else if (std::find(read.begin(), read.end(), *text) != read.end()) bad(item, "each name once");
      else read.push_back(*text);
    }
    out = std::move(read);
  }

  // A spec as open_store takes it, checked without opening anything.
  void store_spec(const Value* v, std::string& out) {
    if (!v) return;
    const std::string expected = "memory, sqlite:<path> or redis:<host>:<port>[:<prefix>]";
    const auto text = scalar(*v, expected);
    if (!text) return;
    const std::string& spec = *text;
    if (spec == "memory" || (spec.rfind("sqlite:", 0) == 0 && spec.size() > 7)) {
      out = spec;
      return;
    }
    if (spec.rfind("redis:", 0) != 0) return bad(*v, expected);
    const std::string_view rest = std::string_view(spec).substr(6);  // <host>:<port>[:<prefix>]
    const size_t host_end = rest.find(':');
    std::string_view port = host_end == std::string_view::npos ? "" : rest.substr(host_end + 1);
    port = port.substr(0, port.find(':'));
    const auto port_value = parse_integer(port);
    if (host_end == std::string_view::npos || host_end == 0 || !port_value || *port_value < 1 || *port_value > 65535)
      return bad(*v, "redis:<host>:<port>[:<prefix>] with a port from 1 to 65535");
    out = spec;
  }

  bool failed(const std::string& path) const { return failed_.count(path) != 0; }

  // "source:line:column"
  std::string where(const YAML::Mark& at) const {
    if (at.is_null() || at.line < 0) return source_ + ":1:1";
    return source_ + ":" + std::to_string(at.line + 1) + ":" + std::to_string(at.column + 1);
  }

 private:
  static std::string prefix(const std::string& path) { return path.empty() ? "" : path + ": "; }

  static std::string duration_expected(Millis min, Millis max) {
    return "a duration from " + duration_text(min) + " to " + duration_text(max) + " (e.g. 500ms, 30s, 5m, 2h, 1h30m)";
  }

  static YAML::Mark value_mark(const YAML::Node& key, const YAML::Node& value) {
    return value.IsNull() || value.Mark().is_null() ? key.Mark() : value.Mark();
  }

  std::string source_;
  std::vector<std::string> problems_;
  std::set<std::string> failed_;  // key paths whose value was refused
};

const Value* find(const std::map<std::string, Value>& entries, const std::string& key) {
  const auto it = entries.find(key);
  return it == entries.end() ? nullptr : &it->second;
}

void read_node_id(Loader& loader, const Value* v, const Value& section, NodeConfig& config) {
  const std::string expected =
      "the node's id: 1 to " + std::to_string(kNodeIdCharsMax) + " letters, digits, '.', '_' or '-'";
  if (!v) {
    loader.problem(section.key_mark, "node.id: missing; expected " + expected);
    return;
  }
  const auto text = loader.scalar(*v, expected);
  if (!text) return;
  const bool ok = !text->empty() && text->size() <= kNodeIdCharsMax &&
                  std::all_of(text->begin(), text->end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) return loader.bad(*v, expected);
  config.node_id = *text;
}

constexpr std::string_view kPluginKeys[]{"path", "isolation", "workers", "frame_bytes_max", "queue_max"};
constexpr std::string_view kIsolations[]{"in_process", "process"};

// One entry of node.plugins given as a map: its path and how its handlers run.
std::optional<PluginEntry> read_plugin_map(Loader& loader, const Value& item) {
  const auto keys = loader.section(item, kPluginKeys, "plugin settings");
  PluginEntry entry;
  const Value* path = find(keys, "path");
  if (!path) {
    loader.problem(item.mark, item.path + ".path: missing; expected a plugin path (a shared library file)");
    return std::nullopt;
  }
  const auto text = loader.scalar(*path, "a plugin path (a shared library file)");
  if (!text) return std::nullopt;
  if (text->empty()) {
    loader.bad(*path, "a plugin path (a shared library file)");
    return std::nullopt;
  }
  entry.path = *text;
  std::string isolation_word = "in_process";
  loader.word(find(keys, "isolation"), isolation_word, kIsolations);
  if (loader.failed(item.path + ".isolation")) return std::nullopt;
  entry.isolation = isolation_word == "process" ? PluginIsolation::process : PluginIsolation::in_process;
  int frame_bytes_max = static_cast<int>(isolation::kFrameBytesDefault);
  loader.integer(find(keys, "workers"), entry.workers, isolation::kWorkersMin, isolation::kWorkersMax);
  loader.integer(find(keys, "frame_bytes_max"), frame_bytes_max, static_cast<int64_t>(isolation::kFrameBytesMin),
                 static_cast<int64_t>(isolation::kFrameBytesMax));
  loader.integer(find(keys, "queue_max"), entry.queue_max, isolation::kQueueMin, isolation::kQueueMax);
  entry.frame_bytes_max = static_cast<size_t>(frame_bytes_max);
  if (entry.isolation == PluginIsolation::in_process)
    for (const char* key : {"workers", "frame_bytes_max", "queue_max"})
      if (const Value* v = find(keys, key)) {
        loader.problem(v->mark, v->path + ": only with isolation: process (this plugin runs in the node's process)");
        return std::nullopt;
      }
  for (const char* key : {"workers", "frame_bytes_max", "queue_max"})
    if (loader.failed(item.path + "." + key)) return std::nullopt;
  return entry;
}

// node.plugins: a list of shared-library paths, or maps with a path (see PluginEntry). Whether each
// file exists is checked when the node loads it (the error then names the entry's location), not
// here: the config stays readable without the build that makes the plugins.
void read_plugins(Loader& loader, const Value* v, NodeConfig& config) {
  if (!v || v->node.IsNull()) return;
  const std::string expected =
      "a list of plugin paths (shared libraries, e.g. [build/libhandlers.so]) or of maps "
      "{path: ..., isolation: process, workers: 2}";
  if (!v->node.IsSequence()) return loader.bad(*v, expected);
  if (v->node.size() > kPluginsMax)
    return loader.problem(v->mark, v->path + ": expected at most " + std::to_string(kPluginsMax) + " plugins, got " +
                                       std::to_string(v->node.size()));
  std::vector<PluginEntry> plugins;
  std::set<std::string> seen;
  for (size_t i = 0; i < v->node.size(); ++i) {
    const YAML::Node node = v->node[i];
    const Value item{v->path + "[" + std::to_string(i) + "]", node,
                     node.Mark().is_null() ? v->mark : node.Mark(), v->key_mark};
    std::optional<PluginEntry> entry;
    if (node.IsMap()) {
      entry = read_plugin_map(loader, item);
    } else {
      const std::string entry_expected = "a plugin path (a shared library file) or a map {path: ..., isolation: ...}";
      const auto text = loader.scalar(item, entry_expected);
      if (!text) continue;
      if (text->empty()) {
        loader.bad(item, entry_expected);
        continue;
      }
      entry = PluginEntry{};
      entry->path = *text;
    }
    if (!entry) continue;
    if (!seen.insert(entry->path).second) {
      loader.bad(item, "each plugin once");
      continue;
    }
    entry->location = loader.where(item.mark);
    plugins.push_back(std::move(*entry));
  }
  config.plugins = std::move(plugins);
}

// cluster.tls, cluster.allow_insecure, cluster.max_message_bytes; with cluster.enabled, a
// plaintext gateway beyond loopback is refused. The TLS files are read at start
// (cluster_tls_problems), as plugins are.
void read_cluster_security(Loader& loader, const std::map<std::string, Value>& cluster, NodeConfig& config) {
  loader.boolean(find(cluster, "allow_insecure"), config.cluster_allow_insecure);
  loader.integer(find(cluster, "max_message_bytes"), config.cluster_max_message_bytes, 1024, 1 << 30);
  const Value* tls_value = find(cluster, "tls");
  const auto tls = tls_value ? loader.section(*tls_value, kClusterTlsKeys, "PEM files") : std::map<std::string, Value>{};
  for (const auto& [key, out] : {std::pair{"cert_file", &config.cluster_tls.cert_file},
                                 std::pair{"key_file", &config.cluster_tls.key_file},
                                 std::pair{"ca_file", &config.cluster_tls.ca_file}}) {
    const Value* v = find(tls, key);
    if (!v) continue;
    const std::string expected = "the path of a PEM file";
    const auto text = loader.scalar(*v, expected);
    if (text && text->empty()) loader.bad(*v, expected);
    else if (text) *out = *text;
    config.cluster_tls_locations[key] = loader.where(v->mark);
  }
  if (tls_value && !tls.empty()) {
    config.cluster_tls_locations["tls"] = loader.where(tls_value->mark);
    for (const auto key : kClusterTlsKeys)
      if (!find(tls, std::string(key)))
        loader.problem(tls_value->mark, "cluster.tls." + std::string(key) +
                                            ": missing; expected cert_file, key_file and ca_file together (PEM files)");
  }
  const auto listen = parse_host_port(config.cluster_listen);
  const Value* listen_value = find(cluster, "listen");
  if (!config.cluster_enabled || config.cluster_tls.enabled() || config.cluster_allow_insecure || !listen ||
      !listen_value || loader.failed("cluster.listen") || is_loopback_host(listen->host))
    return;
  loader.problem(listen_value->mark,
                 "cluster.listen: " + config.cluster_listen +
                     " is not a loopback address; expected cluster.tls (cert_file, key_file, ca_file: mutual TLS "
                     "between the nodes), or cluster.allow_insecure: true to take plaintext from any peer that "
                     "reaches the port");
}

void read_cluster(Loader& loader, const std::map<std::string, Value>& cluster, NodeConfig& config) {
  loader.boolean(find(cluster, "enabled"), config.cluster_enabled);
  loader.address(find(cluster, "listen"), config.cluster_listen, true);
  if (const Value* v = find(cluster, "advertise")) {
    const std::string expected = "a host name or address other nodes reach this one at (e.g. 10.0.0.5)";
    if (const auto text = loader.scalar(*v, expected)) {
      if (text->empty() || text->find_first_of(" \t/") != std::string::npos) loader.bad(*v, expected);
      else config.cluster_advertise = *text;
    }
  }
  loader.integer(find(cluster, "shards"), config.shards, 1, 4096);
  const Millis minute(60'000);
  loader.duration(find(cluster, "lease_ttl"), config.lease_ttl, Millis(1'000), 5 * minute);
  loader.duration(find(cluster, "heartbeat_interval"), config.heartbeat_interval, Millis(50), minute);
  loader.duration(find(cluster, "peer_timeout"), config.peer_timeout, Millis(500), 5 * minute);
  loader.duration(find(cluster, "route_timeout"), config.route_timeout, Millis(100), 5 * minute);
  loader.duration(find(cluster, "handoff_timeout"), config.handoff_timeout, Millis(0), 5 * minute);
  loader.duration(find(cluster, "outage_grace"), config.outage_grace, Millis(0), 5 * minute);
  loader.names(find(cluster, "remote_handlers"), config.remote_handlers, kRemoteHandlersMax, "handler names");
  read_cluster_security(loader, cluster, config);
  const Value* heartbeat = find(cluster, "heartbeat_interval");
  const Value* lease = find(cluster, "lease_ttl");
  if (config.heartbeat_interval * 2 > config.lease_ttl && !loader.failed("cluster.heartbeat_interval") &&
      !loader.failed("cluster.lease_ttl")) {
    if (heartbeat)
      loader.bad(*heartbeat, "a duration of at most half of cluster.lease_ttl (" + duration_text(config.lease_ttl) + ")");
    else
      loader.bad(*lease, "a duration of at least twice cluster.heartbeat_interval (" +
                             duration_text(config.heartbeat_interval) + ")");
  }
}

// store: a spec, or a map of the spec and how the store is used.
void read_store(Loader& loader, const Value* v, NodeConfig& config) {
  if (!v) return;
  if (!v->node.IsMap()) return loader.store_spec(v, config.store);
  const auto store = loader.section(*v, kStoreKeys, "store settings");
  if (const Value* spec = find(store, "spec")) loader.store_spec(spec, config.store);
  else loader.problem(v->key_mark, "store.spec: missing; expected memory, sqlite:<path> or redis:<host>:<port>[:<prefix>]");
  std::string durability(to_string(config.durability));
  loader.word(find(store, "durability"), durability, kDurabilities);
  config.durability = parse_durability(durability).value_or(config.durability);
  loader.integer(find(store, "redis_replicas_min"), config.redis_replicas_min, 0, 64);
  loader.duration(find(store, "wait_max"), config.store_wait_max, Millis(100), Millis(3'600'000));
}

void read_path(Loader& loader, const Value* v, std::string& out, const std::string& expected) {
  if (!v) return;
  const auto text = loader.scalar(*v, expected);
  if (!text) return;
  if (text->empty()) return loader.bad(*v, expected);
  out = *text;
}

// http.tls, http.allow_unauthenticated and auth: (nodes/auth/). Files are read when the node
// starts (their problems refuse it then), not here.
void read_security(Loader& loader, const std::map<std::string, Value>& http, const std::map<std::string, Value>& auth,
                   NodeConfig& config) {
  loader.boolean(find(http, "allow_unauthenticated"), config.http_allow_unauthenticated);
  if (const Value* tls_value = find(http, "tls")) {
    const auto tls = loader.section(*tls_value, kHttpTlsKeys, "TLS settings");
    read_path(loader, find(tls, "cert_file"), config.http_tls_cert_file, "a PEM certificate file");
    read_path(loader, find(tls, "key_file"), config.http_tls_key_file, "a PEM private key file");
    read_path(loader, find(tls, "client_ca_file"), config.http_tls_client_ca_file, "a PEM CA certificate file");
    const bool cert = !config.http_tls_cert_file.empty(), key = !config.http_tls_key_file.empty();
    if (cert != key && !loader.failed("http.tls.cert_file") && !loader.failed("http.tls.key_file"))
      loader.problem(tls_value->key_mark, std::string("http.tls: ") + (cert ? "key_file" : "cert_file") +
                                              " missing; expected both cert_file and key_file");
    if (!cert && !config.http_tls_client_ca_file.empty())
      loader.problem(tls_value->key_mark, "http.tls: client_ca_file without cert_file; expected cert_file and key_file too");
  }
  read_path(loader, find(auth, "tokens_file"), config.auth_tokens_file, "the path of an API tokens file");
  if (const Value* v = find(auth, "open_routes")) {
    std::vector<std::string> routes;
    loader.names(v, routes, std::size(kOpenableRoutes), "paths served without a token (/healthz, /metrics)");
    bool ok = true;
    for (const auto& r : routes)
      if (std::find(std::begin(kOpenableRoutes), std::end(kOpenableRoutes), r) == std::end(kOpenableRoutes)) ok = false;
    if (!ok) loader.bad(*v, "a list of paths among " + join(kOpenableRoutes) + " (e.g. [/healthz])");
    else if (!loader.failed(v->path)) config.auth_open_routes = std::move(routes);
  }
  loader.integer(find(auth, "failed_attempts_max"), config.auth_failed_attempts_max, 1, 1'000'000);
  loader.duration(find(auth, "failed_attempts_window"), config.auth_failed_attempts_window, Millis(1'000),
                  Millis(24 * 3'600'000));
  const Value* listen = find(http, "listen");
  const auto address = parse_host_port(config.http_listen);
  if (listen && address && !loader.failed("http.listen") && !is_loopback_host(address->host) &&
      config.auth_tokens_file.empty() && !config.http_allow_unauthenticated)
    loader.problem(listen->mark, "http.listen: " + config.http_listen +
                                     " is not a loopback address; listening beyond loopback needs auth.tokens_file "
                                     "(API tokens), or http.allow_unauthenticated: true to serve anyone who reaches "
                                     "the port");
}

// chaos: the path of a chaos config file, loaded here so that its problems stop the node at start.
void read_chaos(Loader& loader, const Value* v, NodeConfig& config) {
  if (!v) return;
  const std::string expected = "the path of a chaos config file (e.g. config/chaos.yaml)";
  const auto path = loader.scalar(*v, expected);
  if (!path) return;
  if (path->empty()) return loader.bad(*v, expected);
  auto loaded = load_chaos_file(*path);
  for (const auto& problem : loaded.problems) loader.problem(v->mark, "chaos: " + problem);
  if (loaded.config) {
    config.chaos_file = *path;
    config.chaos = std::move(*loaded.config);
  }
}

void read_http_limits(Loader& loader, const std::map<std::string, Value>& http, NodeConfig& config) {
  loader.integer(find(http, "body_bytes_max"), config.http_body_bytes_max, 1, 1 << 30);
  loader.integer(find(http, "header_bytes_max"), config.http_header_bytes_max, 1 << 10, 16 << 20);
  loader.integer(find(http, "connections_max"), config.http_connections_max, 1, 1'000'000);
  loader.duration(find(http, "header_timeout"), config.http_header_timeout, Millis(100), Millis(3'600'000));
  loader.duration(find(http, "body_timeout"), config.http_body_timeout, Millis(100), Millis(3'600'000));
  loader.duration(find(http, "keep_alive_timeout"), config.http_keep_alive_timeout, Millis(100), Millis(86'400'000));
  loader.integer(find(http, "keep_alive_requests_max"), config.http_keep_alive_requests_max, 1, 1'000'000);
  loader.integer(find(http, "workers"), config.http_workers, 1, 1024);
  loader.integer(find(http, "queue_max"), config.http_queue_max, 1, 1'000'000);
}

void read_config(Loader& loader, const Value& root, NodeConfig& config) {
  const auto top = loader.section(root, kTopKeys, "sections");
  const auto sub = [&](const std::string& name, Keys keys, const std::string& what) {
    const Value* v = find(top, name);
    return v ? loader.section(*v, keys, what) : std::map<std::string, Value>{};
  };
  const auto at_or_root = [&](const std::string& name) -> const Value& {
    const Value* v = find(top, name);
    return v ? *v : root;
  };

  const auto node = sub("node", kNodeKeys, "node settings");
  if (!loader.failed("") && !loader.failed("node")) read_node_id(loader, find(node, "id"), at_or_root("node"), config);
  if (const Value* v = find(node, "workflows_dir")) {
    const std::string expected = "a directory path";
    if (const auto text = loader.scalar(*v, expected)) {
      if (text->empty()) loader.bad(*v, expected);
      else config.workflows_dir = *text;
    }
  }
  loader.duration(find(node, "drain_timeout"), config.drain_timeout, Millis(0), Millis(3'600'000));
  read_plugins(loader, find(node, "plugins"), config);

  const auto http = sub("http", kHttpKeys, "HTTP settings");
  loader.address(find(http, "listen"), config.http_listen, true);
  const auto auth = sub("auth", kAuthKeys, "authentication settings");
  read_security(loader, http, auth, config);
  read_http_limits(loader, http, config);
  const auto limits_section = sub("limits", kLimitsKeys, "limits");
  loader.integer(find(limits_section, "json_depth_max"), config.json_depth_max, 1, 1024);

  const auto cluster = sub("cluster", kClusterKeys, "cluster settings");
  read_cluster(loader, cluster, config);

  read_store(loader, find(top, "store"), config);

  const Millis day(24 * 3'600'000);
  const auto defaults = sub("defaults", kDefaultsKeys, "step defaults");
  loader.duration(find(defaults, "step_timeout"), config.timeout_default, Millis(1), day);
  loader.integer(find(defaults, "retries_max"), config.max_retries, 0, 1000);
  if (const Value* v = find(defaults, "error_strategy")) {
    // As the engine reads it: "dead_letter" is "dead-letter".
    if (const auto text = loader.scalar(*v, one_of_text(kErrorStrategies))) {
      if (const auto strategy = parse_error_strategy(*text)) config.error_strategy = *strategy;
      else loader.bad(*v, one_of_text(kErrorStrategies), did_you_mean(*text, kErrorStrategies));
    }
  }
  loader.duration(find(defaults, "retry_backoff_initial"), config.retry_backoff_initial, Millis(1), day);
  loader.duration(find(defaults, "retry_backoff_max"), config.retry_backoff_max, Millis(1), day);
  loader.number(find(defaults, "retry_backoff_multiplier"), config.retry_backoff_multiplier, 1.0, 100.0, false);
  loader.number(find(defaults, "retry_jitter"), config.retry_jitter, 0.0, 1.0, true);

  const auto engine = sub("engine", kEngineKeys, "engine settings");
  loader.integer(find(engine, "step_workers"), config.step_workers, 1, 1024);
  loader.integer(find(engine, "step_queue_max"), config.step_queue_max, 1, 10'000'000);
  loader.integer(find(engine, "scheduler_threads"), config.scheduler_threads, 0, 1024);
  loader.integer(find(engine, "instance_restarts_max"), config.instance_restarts_max, 0, 1000);
  loader.duration(find(engine, "instance_restart_period"), config.instance_restart_period, Millis(1), day);
  loader.integer(find(engine, "breaker_waits_max"), config.breaker_waits_max, 1, 1'000'000);
  loader.integer(find(engine, "crash_attempts_max"), config.crash_attempts_max, 1, 1000);
  loader.duration_or_never(find(engine, "passivate_after"), config.passivate_after, Millis(1), day);
  loader.duration(find(engine, "wake_poll_interval"), config.wake_poll_interval, Millis(10), Millis(60'000));

  const auto log = sub("log", kLogKeys, "log settings");
  loader.word(find(log, "level"), config.log_level, kLogLevels);
  loader.word(find(log, "format"), config.log_format, kLogFormats);
  read_chaos(loader, find(top, "chaos"), config);

  // Values that must agree with each other; checked only when each was read without a problem.
  const Value* initial = find(defaults, "retry_backoff_initial");
  const Value* max = find(defaults, "retry_backoff_max");
  if (config.retry_backoff_max < config.retry_backoff_initial && !loader.failed("defaults.retry_backoff_initial") &&
      !loader.failed("defaults.retry_backoff_max")) {
    if (max)
      loader.bad(*max, "a duration of at least defaults.retry_backoff_initial (" +
                           duration_text(config.retry_backoff_initial) + ")");
    else
      loader.bad(*initial, "a duration of at most defaults.retry_backoff_max (" +
                               duration_text(config.retry_backoff_max) + ")");
  }
  if (config.cluster_enabled && config.store.rfind("redis:", 0) != 0 && !loader.failed("store") && !loader.failed("store.spec") &&
      !loader.failed("cluster.enabled")) {
    const Value* store = find(top, "store");
    const Value* enabled = find(cluster, "enabled");
    std::optional<Value> spec;
    if (store && store->node.IsMap() && store->node["spec"]) {
      const YAML::Node node = store->node["spec"];
      spec = Value{"store.spec", node, node.Mark(), node.Mark()};
      store = &*spec;
    }
    if (store) loader.bad(*store, "a redis:<host>:<port>[:<prefix>] store: the nodes of a cluster share one Redis");
    else loader.bad(*enabled, "false unless store is redis:<host>:<port>[:<prefix>] (the nodes of a cluster share one Redis)");
  }
  const auto http_address = parse_host_port(config.http_listen);
  const auto cluster_address = parse_host_port(config.cluster_listen);
  if (http_address && cluster_address && http_address->port > 0 && http_address->port == cluster_address->port &&
      (lowercase(http_address->host) == lowercase(cluster_address->host) || is_wildcard_host(http_address->host) ||
       is_wildcard_host(cluster_address->host)) &&
      !loader.failed("http.listen") && !loader.failed("cluster.listen")) {
    const Value* clash = find(cluster, "listen") ? find(cluster, "listen") : find(http, "listen");
    const std::string other = clash->path == "cluster.listen" ? "http.listen" : "cluster.listen";
    loader.bad(*clash, "an address whose port differs from " + other + " (" +
                           (other == "http.listen" ? config.http_listen : config.cluster_listen) + ")");
  }
}

}  // namespace

NodeConfigResult load_node_config_yaml(std::string_view text, const std::string& source_name) {
  NodeConfigResult result;
  if (text.size() > kConfigBytesMax) {
    result.problems.push_back(source_name + ": is " + std::to_string(text.size()) +
                              " bytes; expected a node config of at most " + std::to_string(kConfigBytesMax) +
                              " bytes");
    return result;
  }
  if (Status bounded = yaml_text_limits(text, source_name); !bounded) {
    result.problems.push_back(bounded.message());
    return result;
  }
  Loader loader(source_name);
  NodeConfig config;
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    if (documents.size() > 1)
      loader.problem(documents[1].Mark(), "expected one YAML document, found " + std::to_string(documents.size()));
    Value root{"", documents.empty() ? YAML::Node() : documents.front(), YAML::Mark(), YAML::Mark()};
    if (!documents.empty()) root.mark = root.key_mark = documents.front().Mark();
    read_config(loader, root, config);
  } catch (const YAML::Exception& e) {
    loader.problem(e.mark, "malformed YAML: " + e.msg);
  }
  result.problems = std::move(loader).problems();
  if (result.problems.empty()) result.config = std::move(config);
  return result;
}

NodeConfigResult load_node_config_file(const std::string& path) {
  const auto fail = [&](const std::string& what) {
    NodeConfigResult result;
    result.problems.push_back(path + ": " + what);
    return result;
  };
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status))
    return fail("cannot read: " + (error ? error.message() : std::string("no such file")) +
                "; expected a YAML node config file");
  if (!std::filesystem::is_regular_file(status)) return fail("is not a file; expected a YAML node config file");
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return fail("cannot read: " + error.message() + "; expected a YAML node config file");
  if (size > kConfigBytesMax)
    return fail("is " + std::to_string(size) + " bytes; expected a node config of at most " +
                std::to_string(kConfigBytesMax) + " bytes");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return fail(std::string("cannot read: ") + std::strerror(errno) + "; expected a YAML node config file");
  return load_node_config_yaml(text.str(), path);
}

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
  options.step_timeout_default = config.timeout_default;
  options.retry_default.retries_max = config.max_retries;
  options.retry_default.interval_initial = config.retry_backoff_initial;
  options.retry_default.interval_max = config.retry_backoff_max;
  options.retry_default.multiplier = config.retry_backoff_multiplier;
  options.retry_default.jitter = config.retry_jitter;
  options.strategy_default = config.error_strategy;
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

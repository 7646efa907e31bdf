#include "node_settings.hpp"

#include <actorflow/cluster_options.hpp>
#include <actorflow/duration.hpp>
#include <actorflow/store.hpp>

#include <algorithm>
#include <span>
#include <sstream>

namespace actorflow::node {
namespace {

constexpr std::string_view kLogLevels[]{"trace", "debug", "info", "warn", "error", "critical", "off"};
constexpr std::string_view kLogFormats[]{"json", "text"};
constexpr std::string_view kDurabilities[]{"process", "machine"};
constexpr Millis kSecond{1'000}, kMinute{60'000}, kHour{3'600'000}, kDay{86'400'000};

std::optional<std::string> word_among(std::string_view text, std::span<const std::string_view> words) {
  if (std::find(words.begin(), words.end(), text) == words.end()) return std::nullopt;
  return std::string(text);
}
std::optional<std::string> parse_log_level(std::string_view text) { return word_among(text, kLogLevels); }
std::optional<std::string> parse_log_format(std::string_view text) { return word_among(text, kLogFormats); }

template <size_t N>
std::vector<std::string_view> words(const std::string_view (&list)[N]) {
  return {std::begin(list), std::end(list)};
}

int as_int(size_t value) { return static_cast<int>(value); }

std::vector<NodeSetting> make_settings() {
  const EngineOptions engine;
  const ClusterOptions cluster;
  const RetryPolicy& retry = engine.retry_default;
  return {
      {"node.drain_timeout", DurationSetting{&NodeConfig::drain_timeout, 30 * kSecond, Millis(0), kHour},
       "on shutdown, wait this long for running steps to finish"},

      {"http.allow_unauthenticated", BooleanSetting{&NodeConfig::http_allow_unauthenticated, false},
       "serve a non-loopback http.listen without auth.tokens_file (a warning is logged)"},
      {"http.body_bytes_max", IntegerSetting{&NodeConfig::http_body_bytes_max, as_int(limits::kBodyBytesMax), 1, 1 << 30},
       "request body, 413 beyond"},
      {"http.header_bytes_max",
       IntegerSetting{&NodeConfig::http_header_bytes_max, as_int(limits::kHeaderBytesMax), 1 << 10, 16 << 20},
       "request line and headers, 431 beyond"},
      {"http.connections_max",
       IntegerSetting{&NodeConfig::http_connections_max, as_int(limits::kConnectionsMax), 1, 1'000'000},
       "open connections, 503 beyond"},
      {"http.header_timeout", DurationSetting{&NodeConfig::http_header_timeout, limits::kHeaderTimeout, Millis(100), kHour},
       "a request head must arrive within this of its first byte (408)"},
      {"http.body_timeout", DurationSetting{&NodeConfig::http_body_timeout, limits::kBodyTimeout, Millis(100), kHour},
       "a body within this of its head (408)"},
      {"http.keep_alive_timeout",
       DurationSetting{&NodeConfig::http_keep_alive_timeout, limits::kKeepAliveTimeout, Millis(100), kDay},
       "an idle connection is closed after this"},
      {"http.keep_alive_requests_max",
       IntegerSetting{&NodeConfig::http_keep_alive_requests_max, as_int(limits::kKeepAliveRequestsMax), 1, 1'000'000},
       "requests on one connection"},
      {"http.workers", IntegerSetting{&NodeConfig::http_workers, as_int(limits::kHttpWorkers), 1, 1024},
       "threads answering complete requests"},
      {"http.queue_max", IntegerSetting{&NodeConfig::http_queue_max, as_int(limits::kHttpQueueMax), 1, 1'000'000},
       "complete requests waiting for a worker, 503 beyond"},

      {"auth.failed_attempts_max", IntegerSetting{&NodeConfig::auth_failed_attempts_max, 20, 1, 1'000'000},
       "wrong tokens from one client address within the window; beyond them it gets 429"},
      {"auth.failed_attempts_window",
       DurationSetting{&NodeConfig::auth_failed_attempts_window, kMinute, kSecond, kDay},
       "the window of auth.failed_attempts_max"},

      {"limits.json_depth_max", IntegerSetting{&NodeConfig::json_depth_max, as_int(limits::kJsonDepthMax), 1, 1024},
       "nesting of any JSON the node reads; 400 beyond"},

      {"cluster.enabled", BooleanSetting{&NodeConfig::cluster_enabled, false},
       "this node is one of a cluster; needs a redis: store"},
      {"cluster.shards", IntegerSetting{&NodeConfig::shards, cluster.shards, 1, 4096},
       "workflow shards; every node of a cluster must agree"},
      {"cluster.lease_ttl", DurationSetting{&NodeConfig::lease_ttl, cluster.lease_ttl, kSecond, 5 * kMinute},
       "a shard whose owner stops renewing moves after this"},
      {"cluster.heartbeat_interval",
       DurationSetting{&NodeConfig::heartbeat_interval, cluster.heartbeat_interval, Millis(50), kMinute},
       "membership heartbeat and lease renewal; at most cluster.lease_ttl / 2"},
      {"cluster.peer_timeout", DurationSetting{&NodeConfig::peer_timeout, cluster.peer_timeout, Millis(500), 5 * kMinute},
       "a peer silent this long is cut off"},
      {"cluster.route_timeout",
       DurationSetting{&NodeConfig::route_timeout, cluster.route_timeout, Millis(100), 5 * kMinute},
       "a call forwarded to a shard's owner waits this long for one"},
      {"cluster.handoff_timeout",
       DurationSetting{&NodeConfig::handoff_timeout, cluster.handoff_timeout, Millis(0), 5 * kMinute},
       "handing a shard to a joining node waits this long for running steps"},
      {"cluster.outage_grace", DurationSetting{&NodeConfig::outage_grace, cluster.outage_grace, Millis(0), 5 * kMinute},
       "after a store outage, members known before it count as alive this long; 0: twice heartbeat_interval"},
      {"cluster.allow_insecure", BooleanSetting{&NodeConfig::cluster_allow_insecure, cluster.allow_insecure},
       "take plaintext from peers beyond loopback (without cluster.tls)"},
      {"cluster.max_message_bytes",
       IntegerSetting{&NodeConfig::cluster_max_message_bytes, as_int(cluster.max_message_bytes), 1024, 1 << 30},
       "a peer's message above this closes its connection before it is buffered"},

      {"store.durability",
       WordSetting<Durability>{&NodeConfig::durability, Durability::machine, words(kDurabilities), parse_durability},
       "machine: acknowledged writes survive a crash of the machine; process: of this process"},
      {"store.redis_replicas_min", IntegerSetting{&NodeConfig::redis_replicas_min, 0, 0, 64},
       "> 0: each commit waits (WAIT) for this many Redis replicas"},
      {"store.wait_max", DurationSetting{&NodeConfig::store_wait_max, engine.store_wait_max, Millis(100), kHour},
       "a start not stored by then is answered 503 \"store unavailable\""},

      {"defaults.step_timeout",
       DurationSetting{&NodeConfig::step_timeout_default, engine.step_timeout_default, Millis(1), kDay},
       "a step attempt running longer fails (retryably)"},
      {"defaults.retries_max", IntegerSetting{&NodeConfig::retries_max, retry.retries_max, 0, 1000},
       "retries after the first attempt; 0 = never retry"},
      {"defaults.error_strategy",
       WordSetting<ErrorStrategy>{&NodeConfig::strategy_default, engine.strategy_default,
                                  words(kErrorStrategyNames), parse_error_strategy},
       "when a step fails for good"},
      {"defaults.retry_backoff_initial",
       DurationSetting{&NodeConfig::retry_backoff_initial, retry.interval_initial, Millis(1), kDay},
       "wait before the first retry"},
      {"defaults.retry_backoff_max", DurationSetting{&NodeConfig::retry_backoff_max, retry.interval_max, Millis(1), kDay},
       "no wait grows beyond this; at least retry_backoff_initial"},
      {"defaults.retry_backoff_multiplier",
       NumberSetting{&NodeConfig::retry_backoff_multiplier, retry.multiplier, 1.0, 100.0},
       "each further retry waits this much longer"},
      {"defaults.retry_jitter", NumberSetting{&NodeConfig::retry_jitter, retry.jitter, 0.0, 1.0, true},
       "waits are drawn from [wait*(1-jitter), wait]; less than 1"},

      {"engine.step_workers", IntegerSetting{&NodeConfig::step_workers, engine.step_workers, 1, 1024},
       "threads running synchronous step handlers"},
      {"engine.step_queue_max", IntegerSetting{&NodeConfig::step_queue_max, engine.step_queue_max, 1, 10'000'000},
       "queued synchronous steps beyond this fail (retryably)"},
      {"engine.scheduler_threads", IntegerSetting{&NodeConfig::scheduler_threads, engine.scheduler_threads, 0, 1024},
       "actor scheduler threads; 0 = one per core"},
      {"engine.instance_restarts_max",
       IntegerSetting{&NodeConfig::instance_restarts_max, engine.instance_restarts_max, 0, 1000},
       "a workflow instance crashing more often than this within instance_restart_period is dead-lettered"},
      {"engine.instance_restart_period",
       DurationSetting{&NodeConfig::instance_restart_period, engine.instance_restart_period, Millis(1), kDay},
       "the period of engine.instance_restarts_max"},
      {"engine.breaker_waits_max",
       IntegerSetting{&NodeConfig::breaker_waits_max, engine.breaker_waits_max, 1, 1'000'000},
       "a step refused this often by its circuit breaker fails"},
      {"engine.crash_attempts_max",
       IntegerSetting{&NodeConfig::crash_attempts_max, engine.crash_attempts_max, 1, 1000},
       "a step in flight when the process died this many times in a row fails for good"},
      {"engine.passivate_after",
       DurationOrNeverSetting{&NodeConfig::passivate_after, engine.passivate_after, Millis(1), kDay},
       "a workflow only waiting this long leaves memory (kept in the store); a duration or never"},
      {"engine.wake_poll_interval",
       DurationSetting{&NodeConfig::wake_poll_interval, engine.wake_poll_interval, Millis(10), kMinute},
       "how often the store's wake-up index is read"},

      {"log.level", WordSetting<std::string>{&NodeConfig::log_level, "info", words(kLogLevels), parse_log_level},
       "the least severe level logged"},
      {"log.format", WordSetting<std::string>{&NodeConfig::log_format, "json", words(kLogFormats), parse_log_format},
       "json (one object per line) or text"},
  };
}

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

const std::vector<NodeSetting>& node_settings() {
  static const std::vector<NodeSetting> settings = make_settings();
  return settings;
}

std::string range_text(const NodeSetting& setting) {
  return std::visit(
      Overloaded{
          [](const IntegerSetting& s) { return std::to_string(s.min) + ".." + std::to_string(s.max); },
          [](const NumberSetting& s) { return number_text(s.min) + ".." + number_text(s.max); },
          [](const BooleanSetting&) { return std::string(); },
          [](const DurationSetting& s) { return duration_text(s.min) + ".." + duration_text(s.max); },
          [](const DurationOrNeverSetting& s) { return duration_text(s.min) + ".." + duration_text(s.max); },
          [](const auto& s) {
            std::string out;
            for (auto word : s.words) out += (out.empty() ? "" : ", ") + std::string(word);
            return out;
          },
      },
      setting.kind);
}

void apply_default(const NodeSetting& setting, NodeConfig& config) {
  std::visit([&](const auto& s) { config.*s.field = s.fallback; }, setting.kind);
}

bool holds_default(const NodeSetting& setting, const NodeConfig& config) {
  return std::visit([&](const auto& s) { return config.*s.field == s.fallback; }, setting.kind);
}

}  // namespace actorflow::node

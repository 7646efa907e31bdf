#include "node_config.hpp"

#include <actorflow/store.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

using namespace actorflow;
using namespace actorflow::node;
using namespace std::chrono_literals;

namespace {

// config/ of the source tree: this file is tests/unit/node_config_test.cpp.
std::filesystem::path config_dir() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "config";
}

NodeConfigResult load(const std::string& yaml) { return load_node_config_yaml(yaml, "t.yaml"); }

// The config `yaml` gives; fails the test (with every problem) when it gives none.
NodeConfig load_ok(const std::string& yaml) {
  const auto result = load(yaml);
  std::string all;
  for (const auto& p : result.problems) all += p + "\n";
  EXPECT_TRUE(result.problems.empty()) << all;
  EXPECT_TRUE(result.config.has_value());
  return result.config.value_or(NodeConfig{});
}

// The problems of `yaml`, which must give no config.
std::vector<std::string> problems_of(const std::string& yaml) {
  const auto result = load(yaml);
  EXPECT_FALSE(result.config.has_value());
  return result.problems;
}

// The only problem of `yaml`.
std::string problem_of(const std::string& yaml) {
  const auto problems = problems_of(yaml);
  EXPECT_EQ(problems.size(), 1u);
  return problems.empty() ? "" : problems.front();
}

// `yaml` with node.id set, so that only the lines under test can be wrong. Line 1 is "node: {id: n1}".
std::string with_id(const std::string& yaml) { return "node: {id: n1}\n" + yaml; }

// A directory of its own under the temp dir, removed at the end.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("node_config_test." + std::to_string(::getpid()) + "." + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

}  // namespace

// --- the example configs --------------------------------------------------------------------------

TEST(NodeConfig, SqliteExampleLoadsWithTheDefaults) {
  const auto path = (config_dir() / "node.yaml").string();
  const auto result = load_node_config_file(path);
  ASSERT_TRUE(result.problems.empty()) << result.problems.front();
  ASSERT_TRUE(result.config);
  const NodeConfig& c = *result.config;
  const NodeConfig defaults;
  EXPECT_EQ(c.node_id, "node-1");
  EXPECT_EQ(c.store, "sqlite:actorflow.db");
  // The example plugin, as built into build/ at the repository root.
  ASSERT_EQ(c.plugins.size(), 1u);
  EXPECT_EQ(c.plugins[0].path, "build/examples/order_saga_plugin/liborder_saga_handlers.so");
  EXPECT_EQ(c.plugins[0].location, path + ":29:7");
  // The example spells out every default: apart from the id and the plugin it changes nothing.
  EXPECT_EQ(c.workflows_dir, defaults.workflows_dir);
  EXPECT_EQ(c.drain_timeout, defaults.drain_timeout);
  EXPECT_EQ(c.http_listen, defaults.http_listen);
  EXPECT_EQ(c.cluster_listen, defaults.cluster_listen);
  EXPECT_EQ(c.shards, defaults.shards);
  EXPECT_EQ(c.cluster_enabled, defaults.cluster_enabled);
  EXPECT_EQ(c.lease_ttl, defaults.lease_ttl);
  EXPECT_EQ(c.heartbeat_interval, defaults.heartbeat_interval);
  EXPECT_EQ(c.peer_timeout, defaults.peer_timeout);
  EXPECT_EQ(c.route_timeout, defaults.route_timeout);
  EXPECT_EQ(c.handoff_timeout, defaults.handoff_timeout);
  EXPECT_EQ(c.remote_handlers, defaults.remote_handlers);
  EXPECT_EQ(c.cluster_advertise, defaults.cluster_advertise);
  EXPECT_EQ(c.store, defaults.store);
  EXPECT_EQ(c.step_timeout_default, defaults.step_timeout_default);
  EXPECT_EQ(c.retries_max, defaults.retries_max);
  EXPECT_EQ(c.strategy_default, defaults.strategy_default);
  EXPECT_EQ(c.retry_backoff_initial, defaults.retry_backoff_initial);
  EXPECT_EQ(c.retry_backoff_max, defaults.retry_backoff_max);
  EXPECT_EQ(c.retry_backoff_multiplier, defaults.retry_backoff_multiplier);
  EXPECT_EQ(c.retry_jitter, defaults.retry_jitter);
  EXPECT_EQ(c.step_workers, defaults.step_workers);
  EXPECT_EQ(c.step_queue_max, defaults.step_queue_max);
  EXPECT_EQ(c.scheduler_threads, defaults.scheduler_threads);
  EXPECT_EQ(c.instance_restarts_max, defaults.instance_restarts_max);
  EXPECT_EQ(c.instance_restart_period, defaults.instance_restart_period);
  EXPECT_EQ(c.breaker_waits_max, defaults.breaker_waits_max);
  EXPECT_EQ(c.passivate_after, defaults.passivate_after);
  EXPECT_EQ(c.wake_poll_interval, defaults.wake_poll_interval);
  EXPECT_EQ(c.log_level, defaults.log_level);
  EXPECT_EQ(c.log_format, defaults.log_format);
}

TEST(NodeConfig, RedisExampleLoads) {
  const auto result = load_node_config_file((config_dir() / "node-redis.yaml").string());
  ASSERT_TRUE(result.problems.empty()) << result.problems.front();
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->node_id, "node-redis-1");
  EXPECT_EQ(result.config->store, "redis:127.0.0.1:6379:af:");
  EXPECT_EQ(result.config->http_listen, "127.0.0.1:8081");
  EXPECT_EQ(result.config->cluster_listen, "127.0.0.1:7401");
  EXPECT_FALSE(result.config->cluster_enabled);
}

TEST(NodeConfig, TheLocalClusterExamplesLoad) {
  for (int i = 1; i <= 3; ++i) {
    const std::string name = "node-" + std::to_string(i);
    const auto result = load_node_config_file((config_dir() / "cluster" / (name + ".yaml")).string());
    ASSERT_TRUE(result.problems.empty()) << result.problems.front();
    const NodeConfig& c = *result.config;
    EXPECT_EQ(c.node_id, name);
    EXPECT_TRUE(c.cluster_enabled);
    EXPECT_EQ(c.store, "redis:127.0.0.1:6390:af:");
    EXPECT_EQ(c.http_listen, "127.0.0.1:808" + std::to_string(i));
    EXPECT_EQ(c.cluster_listen, "127.0.0.1:740" + std::to_string(i));
    EXPECT_EQ(c.shards, 16);
    // Mutual TLS with the files config/cluster/cluster.sh makes (make-certs.sh).
    EXPECT_EQ(c.cluster_tls.cert_file, "build/cluster/certs/" + name + ".crt");
    EXPECT_EQ(c.cluster_tls.key_file, "build/cluster/certs/" + name + ".key");
    EXPECT_EQ(c.cluster_tls.ca_file, "build/cluster/certs/ca.crt");
  }
}

TEST(NodeConfig, ClusterValuesAreRead) {
  const NodeConfig c = load_ok(
      "node:\n  id: n1\n"
      "cluster:\n"
      "  enabled: true\n"
      "  listen: 0.0.0.0:0\n"
      "  advertise: 10.0.0.5\n"
      "  shards: 32\n"
      "  lease_ttl: 10s\n"
      "  heartbeat_interval: 2s\n"
      "  peer_timeout: 3s\n"
      "  route_timeout: 20s\n"
      "  handoff_timeout: 1s\n"
      "  remote_handlers: [payment.charge, payment.refund]\n"
      "  tls: {cert_file: certs/n1.crt, key_file: certs/n1.key, ca_file: certs/ca.crt}\n"
      "  max_message_bytes: 65536\n"
      "store: redis:10.0.0.1:6379\n");
  EXPECT_TRUE(c.cluster_enabled);
  EXPECT_EQ(c.cluster_listen, "0.0.0.0:0");
  EXPECT_EQ(c.cluster_advertise, "10.0.0.5");
  EXPECT_EQ(c.shards, 32);
  EXPECT_EQ(c.lease_ttl, 10s);
  EXPECT_EQ(c.heartbeat_interval, 2s);
  EXPECT_EQ(c.peer_timeout, 3s);
  EXPECT_EQ(c.route_timeout, 20s);
  EXPECT_EQ(c.handoff_timeout, 1s);
  EXPECT_EQ(c.remote_handlers, (std::vector<std::string>{"payment.charge", "payment.refund"}));
  const EngineOptions options = engine_options(c, make_memory_store());
  ASSERT_TRUE(options.cluster);
  EXPECT_EQ(options.node_id, "n1");
  EXPECT_EQ(options.cluster->listen_host, "0.0.0.0");
  EXPECT_EQ(options.cluster->listen_port, 0);
  EXPECT_EQ(options.cluster->advertise_host, "10.0.0.5");
  EXPECT_EQ(options.cluster->lease_ttl, 10s);
  EXPECT_TRUE(options.cluster->coordination);
  EXPECT_EQ(options.cluster->tls.cert_file, "certs/n1.crt");
  EXPECT_EQ(options.cluster->tls.key_file, "certs/n1.key");
  EXPECT_EQ(options.cluster->tls.ca_file, "certs/ca.crt");
  EXPECT_FALSE(options.cluster->allow_insecure);
  EXPECT_EQ(options.cluster->max_message_bytes, 65536u);
  // The files are read at start, each problem naming where its key is.
  const auto problems = cluster_tls_problems(c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "t.yaml:14:20: cluster.tls.cert_file: cannot read 'certs/n1.crt': no such file");
}

TEST(NodeConfig, APlaintextClusterGatewayBeyondLoopbackNeedsTlsOrAllowInsecure) {
  const std::string head = "node:\n  id: n1\nstore: redis:10.0.0.1:6379\ncluster:\n  enabled: true\n";
  EXPECT_EQ(problem_of(head + "  listen: 10.0.0.7:7400\n"),
            "t.yaml:6:11: cluster.listen: 10.0.0.7:7400 is not a loopback address; expected cluster.tls (cert_file, "
            "key_file, ca_file: mutual TLS between the nodes), or cluster.allow_insecure: true to take plaintext from "
            "any peer that reaches the port");
  EXPECT_TRUE(load_ok(head + "  listen: 10.0.0.7:7400\n  allow_insecure: true\n").cluster_allow_insecure);
  for (const char* loopback : {"127.0.0.1:7400", "127.8.9.10:0", "localhost:7400", "[::1]:7400"})
    EXPECT_EQ(load_ok(head + "  listen: '" + loopback + "'\n").cluster_listen, loopback);
  EXPECT_EQ(problem_of(head + "  listen: 10.0.0.7:7400\n  tls:\n    cert_file: a.crt\n    ca_file: ca.crt\n"),
            "t.yaml:8:5: cluster.tls.key_file: missing; expected cert_file, key_file and ca_file together (PEM files)");
  EXPECT_EQ(problem_of(head + "  max_message_bytes: 10\n"),
            "t.yaml:6:22: cluster.max_message_bytes: expected an integer from 1024 to 1073741824, got '10'");
}

TEST(NodeConfig, ClusterProblemsAreNamed) {
  EXPECT_EQ(problem_of(with_id("cluster:\n  enabled: true\nstore: sqlite:x.db\n")),
            "t.yaml:4:8: store: expected a redis:<host>:<port>[:<prefix>] store: the nodes of a cluster share one "
            "Redis, got 'sqlite:x.db'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  enabled: yes please\n")),
            "t.yaml:3:12: cluster.enabled: expected true or false, got 'yes please'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  lease_ttl: 2s\n  heartbeat_interval: 1500ms\n")),
            "t.yaml:4:23: cluster.heartbeat_interval: expected a duration of at most half of cluster.lease_ttl (2s), "
            "got '1500ms'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  remote_handlers: payment.charge\n")),
            "t.yaml:3:20: cluster.remote_handlers: expected a list of handler names (e.g. [payment.charge, "
            "payment.refund]), got 'payment.charge'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  remote_handlers: [a, a]\n")),
            "t.yaml:3:24: cluster.remote_handlers[1]: expected each name once, got 'a'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  lease_ttl: 10ms\n")),
            "t.yaml:3:14: cluster.lease_ttl: expected a duration from 1s to 5m (e.g. 500ms, 30s, 5m, 2h, 1h30m), got "
            "'10ms'");
}

// --- defaults -------------------------------------------------------------------------------------

TEST(NodeConfig, MissingKeysTakeTheDefaults) {
  const NodeConfig c = load_ok("node:\n  id: n1\n");
  EXPECT_EQ(c.node_id, "n1");
  EXPECT_EQ(c.http_listen, "127.0.0.1:8080");  // loopback unless configured otherwise
  EXPECT_EQ(c.cluster_listen, "127.0.0.1:7400");
  EXPECT_EQ(c.store, "sqlite:actorflow.db");
  EXPECT_EQ(c.step_timeout_default, 30s);
  EXPECT_EQ(c.retries_max, 3);
  EXPECT_EQ(c.strategy_default, ErrorStrategy::retry_then_compensate);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.log_format, "json");
  EXPECT_EQ(c.shards, 16);
  EXPECT_EQ(c.workflows_dir, "config/workflows");
  EXPECT_EQ(c.step_workers, 4);
  EXPECT_EQ(c.drain_timeout, 30s);
  EXPECT_EQ(c.passivate_after, std::optional<Millis>(60s));
  EXPECT_TRUE(c.plugins.empty());
}

TEST(NodeConfig, EmptySectionsTakeTheDefaults) {
  const NodeConfig c = load_ok("node:\n  id: n1\nhttp:\ncluster: {}\nlog:\n");
  EXPECT_EQ(c.http_listen, "127.0.0.1:8080");
  EXPECT_EQ(c.shards, 16);
  EXPECT_EQ(c.log_level, "info");
}

TEST(NodeConfig, ValuesAreRead) {
  const NodeConfig c = load_ok(
      "node:\n"
      "  id: eu-west.node_2\n"
      "  workflows_dir: /etc/actorflow/workflows\n"
      "  drain_timeout: 0ms\n"
      "http:\n"
      "  listen: '[::1]:9090'\n"
      "cluster:\n"
      "  listen: 0.0.0.0:7500\n"
      "  shards: 64\n"
      "store: memory\n"
      "defaults:\n"
      "  step_timeout: 500ms\n"
      "  retries_max: 0\n"
      "  error_strategy: dead_letter\n"
      "  retry_backoff_initial: 2s\n"
      "  retry_backoff_max: 2h\n"
      "  retry_backoff_multiplier: 1.5\n"
      "  retry_jitter: 0\n"
      "engine:\n"
      "  step_workers: 8\n"
      "  step_queue_max: 500\n"
      "  scheduler_threads: 2\n"
      "  instance_restarts_max: 5\n"
      "  instance_restart_period: 5m\n"
      "  breaker_waits_max: 10\n"
      "  passivate_after: never\n"
      "  wake_poll_interval: 250ms\n"
      "log:\n"
      "  level: debug\n"
      "  format: text\n");
  EXPECT_EQ(c.node_id, "eu-west.node_2");
  EXPECT_EQ(c.workflows_dir, "/etc/actorflow/workflows");
  EXPECT_EQ(c.drain_timeout, 0ms);
  EXPECT_EQ(c.http_listen, "[::1]:9090");
  EXPECT_EQ(c.cluster_listen, "0.0.0.0:7500");
  EXPECT_EQ(c.shards, 64);
  EXPECT_EQ(c.store, "memory");
  EXPECT_EQ(c.step_timeout_default, 500ms);
  EXPECT_EQ(c.retries_max, 0);
  EXPECT_EQ(c.strategy_default, ErrorStrategy::dead_letter);
  EXPECT_EQ(c.retry_backoff_initial, 2s);
  EXPECT_EQ(c.retry_backoff_max, 2h);
  EXPECT_EQ(c.retry_backoff_multiplier, 1.5);
  EXPECT_EQ(c.retry_jitter, 0.0);
  EXPECT_EQ(c.step_workers, 8);
  EXPECT_EQ(c.step_queue_max, 500);
  EXPECT_EQ(c.scheduler_threads, 2);
  EXPECT_EQ(c.instance_restarts_max, 5);
  EXPECT_EQ(c.instance_restart_period, 5min);
  EXPECT_EQ(c.breaker_waits_max, 10);
  EXPECT_EQ(c.passivate_after, std::nullopt);
  EXPECT_EQ(c.wake_poll_interval, 250ms);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_format, "text");
}

TEST(NodeConfig, DurationsTakeEachUnit) {
  EXPECT_EQ(load_ok(with_id("defaults: {step_timeout: 500ms}")).step_timeout_default, 500ms);
  EXPECT_EQ(load_ok(with_id("defaults: {step_timeout: 30s}")).step_timeout_default, 30s);
  EXPECT_EQ(load_ok(with_id("defaults: {step_timeout: 5m}")).step_timeout_default, 5min);
  EXPECT_EQ(load_ok(with_id("defaults: {step_timeout: 2h}")).step_timeout_default, 2h);
  EXPECT_EQ(load_ok(with_id("defaults: {step_timeout: 1d}")).step_timeout_default, 24h);
  EXPECT_EQ(load_ok(with_id("defaults: {step_timeout: 1h30m}")).step_timeout_default, 90min);
}

// --- each kind of bad input -----------------------------------------------------------------------

TEST(NodeConfig, MissingFile) {
  const auto result = load_node_config_file("/nonexistent/node.yaml");
  EXPECT_FALSE(result.config);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0], "/nonexistent/node.yaml: cannot read: No such file or directory; expected a YAML node config file");
}

TEST(NodeConfig, DirectoryInsteadOfFile) {
  TempDir dir;
  const auto result = load_node_config_file(dir.path().string());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0], dir.path().string() + ": is not a file; expected a YAML node config file");
}

TEST(NodeConfig, ProblemsInAFileNameThePath) {
  TempDir dir;
  const auto path = dir.file("node.yaml", "node:\n  id: n1\nlog:\n  level: loud\n");
  const auto result = load_node_config_file(path);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0],
            path + ":4:10: log.level: expected one of trace, debug, info, warn, error, critical, off, got 'loud'");
}

TEST(NodeConfig, MalformedYamlNamesItsLine) {
  EXPECT_EQ(problem_of("node:\n  id: [n1\nlog:\n  level: info\n"),
            "t.yaml:3:4: malformed YAML: end of sequence flow not found");
  EXPECT_EQ(problem_of("node:\n  id: n1\nlog: level: info\n"), "t.yaml:3:11: malformed YAML: illegal map value");
}

TEST(NodeConfig, OneDocumentOnly) {
  EXPECT_EQ(problem_of("node: {id: n1}\n---\nnode: {id: n2}\n"), "t.yaml:3:1: expected one YAML document, found 2");
}

TEST(NodeConfig, TheFileMustBeAMap) {
  EXPECT_EQ(problem_of("- node\n- http\n"),
            "t.yaml:1:1: expected a map of sections (node, http, cluster, store, defaults, engine, log, chaos, auth, "
            "limits), got a list");
}

TEST(NodeConfig, NodeIdIsRequired) {
  const std::string expected = "node.id: missing; expected the node's id: 1 to 64 letters, digits, '.', '_' or '-'";
  EXPECT_EQ(problem_of(""), "t.yaml:1:1: " + expected);
  EXPECT_EQ(problem_of("log: {level: info}\n"), "t.yaml:1:1: " + expected);
  EXPECT_EQ(problem_of("log: {level: info}\nnode:\n  workflows_dir: wf\n"), "t.yaml:2:1: " + expected);
}

TEST(NodeConfig, BadNodeId) {
  const std::string expected = "expected the node's id: 1 to 64 letters, digits, '.', '_' or '-'";
  EXPECT_EQ(problem_of("node:\n  id: node one\n"), "t.yaml:2:7: node.id: " + expected + ", got 'node one'");
  EXPECT_EQ(problem_of("node:\n  id: ''\n"), "t.yaml:2:7: node.id: " + expected + ", got ''");
  EXPECT_EQ(problem_of("node:\n  id:\n"), "t.yaml:2:3: node.id: " + expected + ", got nothing");
  EXPECT_EQ(problem_of("node:\n  id: " + std::string(65, 'n') + "\n"),
            "t.yaml:2:7: node.id: " + expected + ", got '" + std::string(65, 'n') + "'");
  EXPECT_EQ(load_ok("node:\n  id: " + std::string(64, 'n') + "\n").node_id, std::string(64, 'n'));
}

TEST(NodeConfig, HttpAndJsonLimitsAreRead) {
  const NodeConfig c = load_ok(with_id(
      "http:\n  body_bytes_max: 2048\n  header_bytes_max: 4096\n  connections_max: 50\n  header_timeout: 2s\n"
      "  body_timeout: 3s\n  keep_alive_timeout: 4s\n  keep_alive_requests_max: 7\n  workers: 3\n  queue_max: 9\n"
      "limits:\n  json_depth_max: 16\n"));
  EXPECT_EQ(c.http_body_bytes_max, 2048);
  EXPECT_EQ(c.http_header_bytes_max, 4096);
  EXPECT_EQ(c.http_connections_max, 50);
  EXPECT_EQ(c.http_header_timeout, Millis(2'000));
  EXPECT_EQ(c.http_body_timeout, Millis(3'000));
  EXPECT_EQ(c.http_keep_alive_timeout, Millis(4'000));
  EXPECT_EQ(c.http_keep_alive_requests_max, 7);
  EXPECT_EQ(c.http_workers, 3);
  EXPECT_EQ(c.http_queue_max, 9);
  EXPECT_EQ(c.json_depth_max, 16);
  EXPECT_EQ(problem_of(with_id("limits:\n  json_depth_max: 0\n")),
            "t.yaml:3:19: limits.json_depth_max: expected an integer from 1 to 1024, got '0'");
}

TEST(NodeConfig, YamlNestedTooDeepIsRefusedBeforeItIsParsed) {
  EXPECT_EQ(problem_of(with_id("log: " + std::string(100'000, '[') + std::string(100'000, ']') + "\n")),
            "t.yaml:2: YAML nests deeper than yaml_nesting_max (256 levels)");
}

TEST(NodeConfig, UnknownKeyListsTheValidKeysAndSuggestsTheClosest) {
  EXPECT_EQ(problem_of(with_id("cluster:\n  shard: 4\n")),
            "t.yaml:3:3: cluster.shard: unknown key; expected one of enabled, listen, advertise, shards, lease_ttl, "
            "heartbeat_interval, peer_timeout, route_timeout, handoff_timeout, outage_grace, remote_handlers, tls, "
            "allow_insecure, max_message_bytes in cluster (did you mean "
            "'shards'?)");
  EXPECT_EQ(problem_of(with_id("stor: memory\n")),
            "t.yaml:2:1: stor: unknown key; expected one of node, http, cluster, store, defaults, engine, log, chaos, "
            "auth, limits (did you mean 'store'?)");
  // The same words in another order, and a part of one key.
  EXPECT_EQ(problem_of(with_id("defaults:\n  max_retries: 5\n")),
            "t.yaml:3:3: defaults.max_retries: unknown key; expected one of step_timeout, retries_max, error_strategy, "
            "retry_backoff_initial, retry_backoff_max, retry_backoff_multiplier, retry_jitter in defaults "
            "(did you mean 'retries_max'?)");
  EXPECT_EQ(problem_of(with_id("defaults:\n  timeout: 5s\n")),
            "t.yaml:3:3: defaults.timeout: unknown key; expected one of step_timeout, retries_max, error_strategy, "
            "retry_backoff_initial, retry_backoff_max, retry_backoff_multiplier, retry_jitter in defaults "
            "(did you mean 'step_timeout'?)");
  // Nothing close: no guess.
  EXPECT_EQ(problem_of(with_id("log:\n  colour: true\n")),
            "t.yaml:3:3: log.colour: unknown key; expected one of level, format in log");
}

TEST(NodeConfig, RepeatedKey) {
  EXPECT_EQ(problem_of(with_id("log:\n  level: info\n  level: debug\n")),
            "t.yaml:4:3: log.level: repeated key (first at line 3); expected each key once");
}

TEST(NodeConfig, WrongType) {
  EXPECT_EQ(problem_of(with_id("cluster:\n  shards: [1, 2]\n")),
            "t.yaml:3:11: cluster.shards: expected an integer from 1 to 4096, got a list");
  EXPECT_EQ(problem_of(with_id("cluster:\n  shards: many\n")),
            "t.yaml:3:11: cluster.shards: expected an integer from 1 to 4096, got 'many'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  shards: 2.5\n")),
            "t.yaml:3:11: cluster.shards: expected an integer from 1 to 4096, got '2.5'");
  EXPECT_EQ(problem_of(with_id("log: debug\n")),
            "t.yaml:2:6: log: expected a map of log settings (level, format), got 'debug'");
  EXPECT_EQ(problem_of(with_id("store: [x.db]\n")),
            "t.yaml:2:8: store: expected memory, sqlite:<path> or redis:<host>:<port>[:<prefix>], got a list");
  EXPECT_EQ(problem_of(with_id("defaults:\n  retry_jitter: lots\n")),
            "t.yaml:3:17: defaults.retry_jitter: expected a number from 0 up to (not including) 1, got 'lots'");
}

TEST(NodeConfig, ShardsBelowOne) {
  EXPECT_EQ(problem_of(with_id("cluster:\n  shards: 0\n")),
            "t.yaml:3:11: cluster.shards: expected an integer from 1 to 4096, got '0'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  shards: -3\n")),
            "t.yaml:3:11: cluster.shards: expected an integer from 1 to 4096, got '-3'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  shards: 4097\n")),
            "t.yaml:3:11: cluster.shards: expected an integer from 1 to 4096, got '4097'");
}

TEST(NodeConfig, BadDuration) {
  const std::string expected = "t.yaml:3:17: defaults.step_timeout: expected a duration from 1ms to 24h "
                               "(e.g. 500ms, 30s, 5m, 2h, 1h30m), got ";
  for (const std::string bad : {"30", "30 s", "1.5s", "30sec", "-1s", "0ms", "25h", "30m1h", "s", "99999999999999999999h"})
    EXPECT_EQ(problem_of(with_id("defaults:\n  step_timeout: " + bad + "\n")), expected + "'" + bad + "'");
  EXPECT_EQ(problem_of(with_id("engine:\n  passivate_after: sometimes\n")),
            "t.yaml:3:20: engine.passivate_after: expected a duration from 1ms to 24h (e.g. 500ms, 30s, 5m, 2h, 1h30m) "
            "or never, got 'sometimes'");
  EXPECT_EQ(problem_of(with_id("engine:\n  wake_poll_interval: 5ms\n")),
            "t.yaml:3:23: engine.wake_poll_interval: expected a duration from 10ms to 1m (e.g. 500ms, 30s, 5m, 2h, 1h30m), "
            "got '5ms'");
}

TEST(NodeConfig, BadStoreSpec) {
  const std::string expected = "t.yaml:2:8: store: expected memory, sqlite:<path> or redis:<host>:<port>[:<prefix>], got ";
  EXPECT_EQ(problem_of(with_id("store: mysql://db\n")), expected + "'mysql://db'");
  EXPECT_EQ(problem_of(with_id("store: 'sqlite:'\n")), expected + "'sqlite:'");
  EXPECT_EQ(problem_of(with_id("store: actorflow.db\n")), expected + "'actorflow.db'");
  const std::string redis = "t.yaml:2:8: store: expected redis:<host>:<port>[:<prefix>] with a port from 1 to 65535, got ";
  EXPECT_EQ(problem_of(with_id("store: redis:localhost\n")), redis + "'redis:localhost'");
  EXPECT_EQ(problem_of(with_id("store: redis:localhost:99999\n")), redis + "'redis:localhost:99999'");
  EXPECT_EQ(problem_of(with_id("store: 'redis::6379'\n")), redis + "'redis::6379'");
  EXPECT_EQ(load_ok(with_id("store: 'redis:db.internal:6380:wf:'\n")).store, "redis:db.internal:6380:wf:");
  EXPECT_EQ(load_ok(with_id("store: sqlite:/var/lib/actorflow/a.db\n")).store, "sqlite:/var/lib/actorflow/a.db");
}

TEST(NodeConfig, BadListenAddress) {
  const std::string form = "expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080), got ";
  EXPECT_EQ(problem_of(with_id("http:\n  listen: 8080\n")), "t.yaml:3:11: http.listen: " + form + "'8080'");
  EXPECT_EQ(problem_of(with_id("http:\n  listen: 'localhost:'\n")), "t.yaml:3:11: http.listen: " + form + "'localhost:'");
  EXPECT_EQ(problem_of(with_id("http:\n  listen: '::1:8080'\n")), "t.yaml:3:11: http.listen: " + form + "'::1:8080'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  listen: '*:7400'\n")), "t.yaml:3:11: cluster.listen: " + form + "'*:7400'");
  const std::string port = "expected host:port with a port from 0 (any free port) to 65535, got ";
  EXPECT_EQ(problem_of(with_id("http:\n  listen: 127.0.0.1:70000\n")),
            "t.yaml:3:11: http.listen: " + port + "'127.0.0.1:70000'");
  EXPECT_EQ(problem_of(with_id("cluster:\n  listen: localhost:70000\n")),
            "t.yaml:3:11: cluster.listen: " + port + "'localhost:70000'");
}

TEST(NodeConfig, TheClusterMayListenOnAnyFreePort) {
  EXPECT_EQ(load_ok(with_id("cluster:\n  listen: 127.0.0.1:0\n")).cluster_listen, "127.0.0.1:0");
}

TEST(NodeConfig, HttpMayListenOnAnyFreePort) {
  EXPECT_EQ(load_ok(with_id("http:\n  listen: 127.0.0.1:0\n")).http_listen, "127.0.0.1:0");
  // Port 0 never clashes with the cluster port.
  EXPECT_EQ(load_ok(with_id("http: {listen: '0.0.0.0:0', allow_unauthenticated: true}\n"
                            "cluster: {listen: '0.0.0.0:7400'}\n"))
                .http_listen,
            "0.0.0.0:0");
}

TEST(NodeConfig, HttpAndClusterNeedDifferentPorts) {
  EXPECT_EQ(problem_of(with_id("http: {listen: '127.0.0.1:7400'}\n")),
            "t.yaml:2:16: http.listen: expected an address whose port differs from cluster.listen (127.0.0.1:7400), "
            "got '127.0.0.1:7400'");
  EXPECT_EQ(problem_of(with_id("http: {listen: '0.0.0.0:9000', allow_unauthenticated: true}\n"
                               "cluster: {listen: 'localhost:9000'}\n")),
            "t.yaml:3:19: cluster.listen: expected an address whose port differs from http.listen (0.0.0.0:9000), "
            "got 'localhost:9000'");
  load_ok(with_id("http: {listen: '10.0.0.1:9000', allow_unauthenticated: true}\ncluster: {listen: '10.0.0.2:9000'}\n"));
}

TEST(NodeConfig, BadLogLevelAndFormat) {
  const std::string levels = "expected one of trace, debug, info, warn, error, critical, off, got ";
  EXPECT_EQ(problem_of(with_id("log:\n  level: verbose\n")), "t.yaml:3:10: log.level: " + levels + "'verbose'");
  EXPECT_EQ(problem_of(with_id("log:\n  level: warning\n")),
            "t.yaml:3:10: log.level: " + levels + "'warning' (did you mean 'warn'?)");
  EXPECT_EQ(problem_of(with_id("log:\n  level: INFO\n")), "t.yaml:3:10: log.level: " + levels + "'INFO' (did you mean 'info'?)");
  EXPECT_EQ(problem_of(with_id("log:\n  format: yaml\n")),
            "t.yaml:3:11: log.format: expected one of json, text, got 'yaml'");
}

TEST(NodeConfig, BadErrorStrategy) {
  EXPECT_EQ(problem_of(with_id("defaults:\n  error_strategy: compensation\n")),
            "t.yaml:3:19: defaults.error_strategy: expected one of retry, compensate, dead-letter, "
            "retry-then-compensate, got 'compensation' (did you mean 'compensate'?)");
}

TEST(NodeConfig, OtherLimits) {
  EXPECT_EQ(problem_of(with_id("defaults:\n  retries_max: -1\n")),
            "t.yaml:3:16: defaults.retries_max: expected an integer from 0 to 1000, got '-1'");
  EXPECT_EQ(problem_of(with_id("engine:\n  step_workers: 0\n")),
            "t.yaml:3:17: engine.step_workers: expected an integer from 1 to 1024, got '0'");
  EXPECT_EQ(problem_of(with_id("defaults:\n  retry_jitter: 1\n")),
            "t.yaml:3:17: defaults.retry_jitter: expected a number from 0 up to (not including) 1, got '1'");
  EXPECT_EQ(problem_of(with_id("defaults:\n  retry_backoff_multiplier: 0.5\n")),
            "t.yaml:3:29: defaults.retry_backoff_multiplier: expected a number from 1 to 100, got '0.5'");
  EXPECT_EQ(problem_of("node:\n  id: n1\n  drain_timeout: 2h\n"),
            "t.yaml:3:18: node.drain_timeout: expected a duration from 0ms to 1h (e.g. 500ms, 30s, 5m, 2h, 1h30m), got '2h'");
}

TEST(NodeConfig, BackoffMaxBelowInitial) {
  EXPECT_EQ(problem_of(with_id("defaults:\n  retry_backoff_initial: 10s\n  retry_backoff_max: 5s\n")),
            "t.yaml:4:22: defaults.retry_backoff_max: expected a duration of at least "
            "defaults.retry_backoff_initial (10s), got '5s'");
  EXPECT_EQ(problem_of(with_id("defaults:\n  retry_backoff_initial: 2m\n")),
            "t.yaml:3:26: defaults.retry_backoff_initial: expected a duration of at most "
            "defaults.retry_backoff_max (1m), got '2m'");
}

TEST(NodeConfig, EveryProblemIsReportedAtOnce) {
  const auto problems = problems_of(
      "node:\n"                      // 1
      "  id: n1\n"                   // 2
      "  colour: blue\n"             // 3
      "http:\n"                      // 4
      "  listen: 8080\n"             // 5
      "cluster:\n"                   // 6
      "  shards: 0\n"                // 7
      "store: nosql\n"               // 8
      "defaults:\n"                  // 9
      "  step_timeout: 30\n"         // 10
      "log:\n"                       // 11
      "  level: loud\n");            // 12
  const std::vector<std::string> expected{
      "t.yaml:3:3: node.colour: unknown key; expected one of id, workflows_dir, drain_timeout, plugins in node",
      "t.yaml:5:11: http.listen: expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080), got '8080'",
      "t.yaml:7:11: cluster.shards: expected an integer from 1 to 4096, got '0'",
      "t.yaml:8:8: store: expected memory, sqlite:<path> or redis:<host>:<port>[:<prefix>], got 'nosql'",
      "t.yaml:10:17: defaults.step_timeout: expected a duration from 1ms to 24h (e.g. 500ms, 30s, 5m, 2h, 1h30m), got '30'",
      "t.yaml:12:10: log.level: expected one of trace, debug, info, warn, error, critical, off, got 'loud'",
  };
  EXPECT_EQ(problems, expected);
}

TEST(NodeConfig, TooLong) {
  const std::string long_text = "node: {id: n1}\n" + std::string(1 << 20, '#');
  EXPECT_EQ(problem_of(long_text), "t.yaml: is 1048591 bytes; expected a node config of at most 1048576 bytes");
  TempDir dir;
  const auto path = dir.file("big.yaml", long_text);
  const auto result = load_node_config_file(path);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0], path + ": is 1048591 bytes; expected a node config of at most 1048576 bytes");
}

// --- plugins --------------------------------------------------------------------------------------

TEST(NodeConfig, PluginsAreReadInOrderWithTheirLocations) {
  const NodeConfig c = load_ok(
      "node:\n"
      "  id: n1\n"
      "  plugins:\n"
      "    - build/liba.so\n"
      "    - /opt/actorflow/libb.so\n");
  const std::vector<PluginEntry> expected{{"build/liba.so", "t.yaml:4:7"}, {"/opt/actorflow/libb.so", "t.yaml:5:7"}};
  EXPECT_EQ(c.plugins, expected);
  EXPECT_EQ(load_ok("node: {id: n1, plugins: [a.so]}\n").plugins, (std::vector<PluginEntry>{{"a.so", "t.yaml:1:26"}}));
  EXPECT_TRUE(load_ok("node: {id: n1, plugins: []}\n").plugins.empty());
  EXPECT_TRUE(load_ok("node:\n  id: n1\n  plugins:\n").plugins.empty());
}

TEST(NodeConfig, PluginFilesAreNotCheckedByTheLoader) {
  // The node checks them when it loads them, naming the entry's location.
  EXPECT_EQ(load_ok("node:\n  id: n1\n  plugins: [/nonexistent/libx.so]\n").plugins.size(), 1u);
}

TEST(NodeConfig, PluginsMustBeAListOfPaths) {
  EXPECT_EQ(problem_of("node:\n  id: n1\n  plugins: build/liba.so\n"),
            "t.yaml:3:12: node.plugins: expected a list of plugin paths (shared libraries, e.g. "
            "[build/libhandlers.so]) or of maps {path: ..., isolation: process, workers: 2}, got 'build/liba.so'");
  EXPECT_EQ(problem_of("node:\n  id: n1\n  plugins: {a: b}\n"),
            "t.yaml:3:12: node.plugins: expected a list of plugin paths (shared libraries, e.g. "
            "[build/libhandlers.so]) or of maps {path: ..., isolation: process, workers: 2}, got a map");
  EXPECT_EQ(problem_of("node:\n  id: n1\n  plugins:\n    - a.so\n    - [b.so]\n"),
            "t.yaml:5:7: node.plugins[1]: expected a plugin path (a shared library file) or a map {path: ..., "
            "isolation: ...}, got a list");
  EXPECT_EQ(problem_of("node:\n  id: n1\n  plugins: [a.so, '']\n"),
            "t.yaml:3:19: node.plugins[1]: expected a plugin path (a shared library file) or a map {path: ..., "
            "isolation: ...}, got ''");
  EXPECT_EQ(problem_of("node:\n  id: n1\n  plugins: [a.so, b.so, a.so]\n"),
            "t.yaml:3:25: node.plugins[2]: expected each plugin once, got 'a.so'");
  std::string many = "node:\n  id: n1\n  plugins:\n";
  for (size_t i = 0; i <= kPluginsMax; ++i) many += "    - lib" + std::to_string(i) + ".so\n";
  EXPECT_EQ(problem_of(many), "t.yaml:4:5: node.plugins: expected at most 64 plugins, got 65");
}

TEST(NodeConfig, APluginMayBeAMapThatRunsItInStepWorkerProcesses) {
  const NodeConfig c = load_ok(
      "node:\n"
      "  id: n1\n"
      "  plugins:\n"
      "    - build/liba.so\n"
      "    - {path: build/libb.so, isolation: process, workers: 8, frame_bytes_max: 4096, queue_max: 5}\n"
      "    - {path: build/libc.so, isolation: process}\n"
      "    - {path: build/libd.so, isolation: in_process}\n");
  ASSERT_EQ(c.plugins.size(), 4u);
  EXPECT_EQ(c.plugins[0].isolation, PluginIsolation::in_process);
  EXPECT_EQ(c.plugins[1].path, "build/libb.so");
  EXPECT_EQ(c.plugins[1].location, "t.yaml:5:7");
  EXPECT_EQ(c.plugins[1].isolation, PluginIsolation::process);
  EXPECT_EQ(c.plugins[1].workers, 8);
  EXPECT_EQ(c.plugins[1].frame_bytes_max, 4096u);
  EXPECT_EQ(c.plugins[1].queue_max, 5);
  EXPECT_EQ(c.plugins[2].isolation, PluginIsolation::process);
  EXPECT_EQ(c.plugins[2].workers, isolation::kWorkersDefault);
  EXPECT_EQ(c.plugins[2].frame_bytes_max, isolation::kFrameBytesDefault);
  EXPECT_EQ(c.plugins[3].isolation, PluginIsolation::in_process);
}

TEST(NodeConfig, BadIsolationSettingsNameTheirKey) {
  const std::string head = "node:\n  id: n1\n  plugins:\n    - ";
  EXPECT_EQ(problem_of(head + "{path: a.so, isolation: bogus}\n"),
            "t.yaml:4:31: node.plugins[0].isolation: expected one of in_process, process, got 'bogus'");
  EXPECT_EQ(problem_of(head + "{path: a.so, isolation: process, workers: 0}\n"),
            "t.yaml:4:49: node.plugins[0].workers: expected an integer from 1 to 64, got '0'");
  EXPECT_EQ(problem_of(head + "{path: a.so, isolation: process, workers: 65}\n"),
            "t.yaml:4:49: node.plugins[0].workers: expected an integer from 1 to 64, got '65'");
  EXPECT_EQ(problem_of(head + "{path: a.so, isolation: process, frame_bytes_max: 10}\n"),
            "t.yaml:4:57: node.plugins[0].frame_bytes_max: expected an integer from 1024 to 1073741824, got '10'");
  EXPECT_EQ(problem_of(head + "{path: a.so, workers: 2}\n"),
            "t.yaml:4:29: node.plugins[0].workers: only with isolation: process (this plugin runs in the node's "
            "process)");
  EXPECT_EQ(problem_of(head + "{isolation: process}\n"),
            "t.yaml:4:7: node.plugins[0].path: missing; expected a plugin path (a shared library file)");
  EXPECT_NE(problem_of(head + "{path: a.so, isolation: process, worker: 2}\n")
                .find("node.plugins[0].worker: unknown key; expected one of path, isolation, workers, frame_bytes_max, "
                      "queue_max in node.plugins[0] (did you mean 'workers'?)"),
            std::string::npos);
  EXPECT_EQ(problem_of("node:\n  id: n1\n  plugins:\n    - a.so\n    - {path: a.so, isolation: process}\n"),
            "t.yaml:5:7: node.plugins[1]: expected each plugin once, got a map");
}

// --- engine options -------------------------------------------------------------------------------

TEST(NodeConfig, EngineOptionsMapTheValues) {
  const NodeConfig c = load_ok(with_id(
      "store: memory\n"
      "defaults:\n"
      "  step_timeout: 5s\n"
      "  retries_max: 7\n"
      "  error_strategy: compensate\n"
      "  retry_backoff_initial: 250ms\n"
      "  retry_backoff_max: 10s\n"
      "  retry_backoff_multiplier: 3\n"
      "  retry_jitter: 0.1\n"
      "engine:\n"
      "  step_workers: 2\n"
      "  step_queue_max: 1000\n"
      "  scheduler_threads: 3\n"
      "  instance_restarts_max: 9\n"
      "  instance_restart_period: 2m\n"
      "  breaker_waits_max: 50\n"
      "  passivate_after: never\n"
      "  wake_poll_interval: 100ms\n"));
  const EngineOptions o = engine_options(c);
  ASSERT_TRUE(o.store);
  EXPECT_FALSE(o.clock);  // the engine's default: the real clock
  EXPECT_EQ(o.step_timeout_default, 5s);
  EXPECT_EQ(o.retry_default.retries_max, 7);
  EXPECT_EQ(o.retry_default.interval_initial, 250ms);
  EXPECT_EQ(o.retry_default.interval_max, 10s);
  EXPECT_EQ(o.retry_default.multiplier, 3.0);
  EXPECT_EQ(o.retry_default.jitter, 0.1);
  EXPECT_EQ(o.retry_default.problem(), std::nullopt);
  EXPECT_EQ(o.strategy_default, ErrorStrategy::compensate);
  EXPECT_EQ(o.step_workers, 2);
  EXPECT_EQ(o.step_queue_max, 1000);
  EXPECT_EQ(o.scheduler_threads, 3);
  EXPECT_EQ(o.instance_restarts_max, 9);
  EXPECT_EQ(o.instance_restart_period, 2min);
  EXPECT_EQ(o.breaker_waits_max, 50);
  EXPECT_EQ(o.passivate_after, std::nullopt);
  EXPECT_EQ(o.wake_poll_interval, 100ms);
}

TEST(NodeConfig, EngineOptionsOfTheDefaultsAreTheEngineDefaults) {
  NodeConfig c;
  c.node_id = "n1";
  c.store = "memory";
  const EngineOptions o = engine_options(c);
  const EngineOptions engine_defaults;
  EXPECT_EQ(o.step_timeout_default, engine_defaults.step_timeout_default);
  EXPECT_EQ(o.retry_default.retries_max, engine_defaults.retry_default.retries_max);
  EXPECT_EQ(o.retry_default.interval_initial, engine_defaults.retry_default.interval_initial);
  EXPECT_EQ(o.retry_default.interval_max, engine_defaults.retry_default.interval_max);
  EXPECT_EQ(o.retry_default.multiplier, engine_defaults.retry_default.multiplier);
  EXPECT_EQ(o.retry_default.jitter, engine_defaults.retry_default.jitter);
  EXPECT_EQ(o.strategy_default, engine_defaults.strategy_default);
  EXPECT_EQ(o.step_workers, engine_defaults.step_workers);
  EXPECT_EQ(o.step_queue_max, engine_defaults.step_queue_max);
  EXPECT_EQ(o.scheduler_threads, engine_defaults.scheduler_threads);
  EXPECT_EQ(o.instance_restarts_max, engine_defaults.instance_restarts_max);
  EXPECT_EQ(o.instance_restart_period, engine_defaults.instance_restart_period);
  EXPECT_EQ(o.breaker_waits_max, engine_defaults.breaker_waits_max);
  EXPECT_EQ(o.passivate_after, engine_defaults.passivate_after);
  EXPECT_EQ(o.wake_poll_interval, engine_defaults.wake_poll_interval);
}

TEST(NodeConfig, EngineOptionsOpenTheSqliteStore) {
  TempDir dir;
  const auto db = (dir.path() / "node.db").string();
  const NodeConfig c = load_ok(with_id("store: 'sqlite:" + db + "'\n"));
  const EngineOptions o = engine_options(c);
  ASSERT_TRUE(o.store);
  EXPECT_TRUE(o.store->live_workflows().empty());
  EXPECT_TRUE(std::filesystem::exists(db));
}

TEST(NodeConfig, EngineOptionsWithAGivenStoreLeaveTheConfiguredOneClosed) {
  TempDir dir;
  const auto db = (dir.path() / "node.db").string();
  const NodeConfig c = load_ok(with_id("store: 'sqlite:" + db + "'\ndefaults: {retries_max: 9}\n"));
  const auto memory = make_memory_store();
  const EngineOptions o = engine_options(c, memory);
  EXPECT_EQ(o.store, memory);
  EXPECT_EQ(o.retry_default.retries_max, 9);
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(NodeConfig, EngineOptionsPassOnStoreErrors) {
  NodeConfig c;
  c.node_id = "n1";
  c.store = "bogus";  // not through the loader, which refuses it
  EXPECT_THROW(engine_options(c), std::invalid_argument);
  c.store = "sqlite:/nonexistent/dir/node.db";
  EXPECT_THROW(engine_options(c), StoreUnavailable);
}

// --- chaos ----------------------------------------------------------------------------------------

TEST(NodeConfig, AChaosFileIsLoadedWithTheConfigAndGoesToTheEngine) {
  TempDir dir;
  const std::string chaos = dir.file("chaos.yaml", "seed: 9\npolicies:\n  - kind: crash\n    probability: 0.01\n");
  const NodeConfig c = load_ok(with_id("chaos: " + chaos + "\n"));
  EXPECT_EQ(c.chaos_file, chaos);
  EXPECT_EQ(c.chaos.seed, 9u);
  ASSERT_EQ(c.chaos.policies.size(), 1u);
  EXPECT_EQ(c.chaos.policies[0].kind, ChaosKind::crash);
  const EngineOptions options = engine_options(c, make_memory_store());
  EXPECT_EQ(options.chaos.seed, 9u);
  EXPECT_EQ(options.chaos.policies.size(), 1u);
  EXPECT_FALSE(load_ok(with_id("")).chaos.enabled());  // no chaos unless asked
}

TEST(NodeConfig, ProblemsOfTheChaosFileStopTheNodeAndNameBothFiles) {
  TempDir dir;
  const std::string chaos = dir.file("chaos.yaml", "policies:\n  - kind: fail\n    probability: 2\n");
  EXPECT_EQ(problem_of(with_id("chaos: " + chaos + "\n")),
            "t.yaml:2:8: chaos: " + chaos + ":3:18: chaos policy 1: probability: expected a number from 0 to 1, got '2'");
  const std::string missing = (dir.path() / "missing.yaml").string();
  EXPECT_EQ(problem_of(with_id("chaos: " + missing + "\n")).rfind("t.yaml:2:8: chaos: " + missing + ": cannot read", 0),
            0u);
  EXPECT_EQ(problem_of(with_id("chaos: [a, b]\n")),
            "t.yaml:2:8: chaos: expected the path of a chaos config file (e.g. config/chaos.yaml), got a list");
}

namespace {

TEST(NodeConfigStore, TheStoreIsASpecOrAMapAndMachineIsTheDefault) {
  const NodeConfig plain = load_ok(with_id("store: sqlite:a.db\n"));
  EXPECT_EQ(plain.store, "sqlite:a.db");
  EXPECT_EQ(plain.durability, Durability::machine);
  EXPECT_EQ(plain.store_wait_max, std::chrono::milliseconds(5'000));
  const NodeConfig map = load_ok(with_id(
      "store:\n  spec: 'redis:10.0.0.1:6379:af:'\n  durability: process\n  redis_replicas_min: 2\n  wait_max: 2s\n"));
  EXPECT_EQ(map.store, "redis:10.0.0.1:6379:af:");
  EXPECT_EQ(map.durability, Durability::process);
  EXPECT_EQ(map.redis_replicas_min, 2);
  EXPECT_EQ(map.store_wait_max, std::chrono::milliseconds(2'000));
  const EngineOptions options = engine_options(map, make_memory_store());
  EXPECT_EQ(options.durability, Durability::process);
  EXPECT_EQ(options.store_wait_max, std::chrono::milliseconds(2'000));
  EXPECT_EQ(store_settings(map).redis_replicas_min, 2);
  EXPECT_EQ(store_settings(map).holder, "n1");
}

TEST(NodeConfigStore, BadStoreSettingsAreNamed) {
  EXPECT_EQ(problem_of(with_id("store:\n  spec: memory\n  durability: disk\n")),
            "t.yaml:4:15: store.durability: expected one of process, machine, got 'disk'");
  EXPECT_EQ(problem_of(with_id("store:\n  durability: machine\n")),
            "t.yaml:2:1: store.spec: missing; expected memory, sqlite:<path> or redis:<host>:<port>[:<prefix>]");
  EXPECT_EQ(problem_of(with_id("store:\n  spec: memory\n  redis_replicas_min: -1\n")),
            "t.yaml:4:23: store.redis_replicas_min: expected an integer from 0 to 64, got '-1'");
  EXPECT_EQ(problem_of(with_id("store:\n  spec: memory\n  wait_max: 1ms\n")),
            "t.yaml:4:13: store.wait_max: expected a duration from 100ms to 1h (e.g. 500ms, 30s, 5m, 2h, 1h30m), got '1ms'");
  EXPECT_EQ(problem_of(with_id("store:\n  spec: memory\n  durabilty: machine\n")),
            "t.yaml:4:3: store.durabilty: unknown key; expected one of spec, durability, redis_replicas_min, wait_max "
            "in store (did you mean 'durability'?)");
}

}  // namespace
// Issue 17 item 12 and issue 18: listening beyond loopback needs API tokens, or says it goes without.
TEST(NodeConfig, ANonLoopbackHttpAddressNeedsTokensOrAllowUnauthenticated) {
  EXPECT_EQ(problem_of(with_id("http:\n  listen: 0.0.0.0:8080\n")),
            "t.yaml:3:11: http.listen: 0.0.0.0:8080 is not a loopback address; listening beyond loopback needs "
            "auth.tokens_file (API tokens), or http.allow_unauthenticated: true to serve anyone who reaches the port");
  EXPECT_EQ(problems_of(with_id("http:\n  listen: node-7.example:8080\n")).size(), 1u);
  for (const char* loopback : {"127.0.0.1:8080", "127.0.1.1:8080", "localhost:8080", "[::1]:8080"})
    load_ok(with_id(std::string("http:\n  listen: '") + loopback + "'\n"));
  const NodeConfig with_tokens = load_ok(with_id("http:\n  listen: 0.0.0.0:8080\nauth:\n  tokens_file: /etc/t\n"));
  EXPECT_EQ(with_tokens.auth_tokens_file, "/etc/t");
  EXPECT_TRUE(load_ok(with_id("http:\n  listen: 0.0.0.0:8080\n  allow_unauthenticated: true\n")).http_allow_unauthenticated);
}

TEST(NodeConfig, AuthAndTlsKeysAreReadAndChecked) {
  const NodeConfig c = load_ok(with_id(
      "http:\n  tls:\n    cert_file: c.pem\n    key_file: k.pem\n    client_ca_file: ca.pem\n"
      "auth:\n  tokens_file: tokens\n  open_routes: [/healthz, /metrics]\n  failed_attempts_max: 5\n"
      "  failed_attempts_window: 10m\n"));
  EXPECT_EQ(c.http_tls_cert_file, "c.pem");
  EXPECT_EQ(c.http_tls_key_file, "k.pem");
  EXPECT_EQ(c.http_tls_client_ca_file, "ca.pem");
  EXPECT_EQ(c.auth_open_routes, (std::vector<std::string>{"/healthz", "/metrics"}));
  EXPECT_EQ(c.auth_failed_attempts_max, 5);
  EXPECT_EQ(c.auth_failed_attempts_window, Millis(600'000));
  EXPECT_TRUE(load_ok(with_id("auth:\n  open_routes: []\n")).auth_open_routes.empty());
  EXPECT_EQ(load_ok("node: {id: n1}\n").auth_open_routes,
            (std::vector<std::string>{"/healthz"}));

  EXPECT_EQ(problem_of(with_id("http:\n  tls:\n    cert_file: c.pem\n")),
            "t.yaml:3:3: http.tls: key_file missing; expected both cert_file and key_file");
  EXPECT_EQ(problem_of(with_id("auth:\n  open_routes: [/v1/workflows]\n")),
            "t.yaml:3:16: auth.open_routes: expected a list of paths among /healthz, /metrics (e.g. [/healthz]), got a list");
  EXPECT_EQ(problem_of(with_id("auth:\n  failed_attempts_max: 0\n")),
            "t.yaml:3:24: auth.failed_attempts_max: expected an integer from 1 to 1000000, got '0'");
  EXPECT_NE(problem_of(with_id("auth:\n  token_file: x\n")).find("did you mean 'tokens_file'"), std::string::npos);
}

// Engines as cluster nodes in one process, on a real redis-server, talking through CAF's
// middleman over loopback: shards split between them, calls forwarded to a shard's owner, steps
// run by the node that hosts their handler, and a node that lost its shard can write nothing.
// (tests/cluster/ runs the same with real node processes, kill -9 and SIGSTOP.)
#include "eventually.hpp"
#include "raw_redis.hpp"
#include "redis_server.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/shard.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace actorflow::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPrefix = "ce:";
constexpr int kShards = 4;

struct NodeTimings {
  Millis heartbeat{100};
  Millis lease{1'000};
};

class ClusterEngineTest : public ::testing::Test {
 protected:
  ClusterEngineTest() : raw(redis.port()) {
    redis_options.port = redis.port();
    redis_options.key_prefix = kPrefix;
  }

  // A node with the "work" handler (its output names the node) unless `with_work` is false.
  std::unique_ptr<Engine> make_node(const std::string& id, NodeTimings timings = {}, bool with_work = true,
                                    std::vector<std::string> remote_handlers = {}) {
    EngineOptions options;
    options.store = make_redis_store(redis_options);
    options.node_id = id;
    options.step_workers = 2;
    options.retry_default.retries_max = 3;
    options.retry_default.interval_initial = Millis(20);
    options.retry_default.jitter = 0;
    ClusterOptions cluster;
    cluster.coordination = make_redis_coordination(redis_options);
    cluster.shards = kShards;
    cluster.heartbeat_interval = timings.heartbeat;
    cluster.lease_ttl = timings.lease;
    cluster.peer_timeout = Millis(2'000);
    cluster.route_timeout = Millis(5'000);
    cluster.handoff_timeout = Millis(2'000);
    cluster.remote_handlers = std::move(remote_handlers);
    options.cluster = cluster;
    auto engine = std::make_unique<Engine>(options);
    if (with_work)
      engine->register_handler("work", [id](const StepContext&) { return Json{{"ran_on", id}}; });
    engine->register_handler("gated", [this](const StepContext&) {
      std::unique_lock lock(gate_mutex);
      gate_changed.wait(lock, [this] { return gate_open; });
      return Json::object();
    });
    EXPECT_TRUE(engine->register_workflow(WorkflowBuilder("job").step("a", "work").step("b", "work").build()));
    EXPECT_TRUE(engine->register_workflow(
        WorkflowBuilder("gate").step("held", "gated").build()));
    EXPECT_TRUE(engine->register_workflow(
        WorkflowBuilder("waiting").wait_for(WaitSpec("go", "go")).step("after", "work").build()));
    return engine;
  }

  static std::set<int> owned(const Engine& engine) {
    const auto shards = engine.cluster_status().owned;
    return {shards.begin(), shards.end()};
  }

  // Waits until the nodes own every shard between them, none twice, each its fair share.
  static bool balanced(const std::vector<Engine*>& nodes) {
    return eventually(
        [&] {
          std::set<int> all;
          size_t total = 0;
          for (Engine* node : nodes) {
            const auto shards = owned(*node);
            if (shards.size() < kShards / nodes.size()) return false;
            total += shards.size();
            all.insert(shards.begin(), shards.end());
          }
          return total == kShards && all.size() == kShards;
        },
        10s);
  }

  // A workflow id whose shard `engine` owns (or does not own).
  static std::string id_on(const Engine& engine, bool owned_by_it, const std::string& stem) {
    const auto shards = owned(engine);
    for (int i = 0;; ++i) {
      const std::string id = stem + "-" + std::to_string(i);
      if ((shards.count(shard_of(id, kShards)) != 0) == owned_by_it) return id;
    }
  }

  void open_gate() {
    {
      std::lock_guard lock(gate_mutex);
      gate_open = true;
    }
    gate_changed.notify_all();
  }

  RedisServer redis;
  RawRedis raw;
  RedisOptions redis_options;
  std::mutex gate_mutex;
  std::condition_variable gate_changed;
  bool gate_open = false;
};

TEST_F(ClusterEngineTest, ALoneNodeOwnsEveryShardAndASecondTakesHalf) {
  auto a = make_node("node-a");
  a->recover();
  EXPECT_EQ(owned(*a).size(), static_cast<size_t>(kShards)) << "the first round claims every free shard";
  auto b = make_node("node-b");
  b->recover();
  ASSERT_TRUE(balanced({a.get(), b.get()}));
  const ClusterStatus status = b->cluster_status();
  EXPECT_TRUE(status.enabled);
  EXPECT_EQ(status.members.size(), 2u);
}

TEST_F(ClusterEngineTest, WorkflowsStartedOnOneNodeRunWhereTheirShardIs) {
  auto a = make_node("node-a");
  a->recover();
  auto b = make_node("node-b");
  b->recover();
  ASSERT_TRUE(balanced({a.get(), b.get()}));
  std::set<std::string> ran_on;
  for (int i = 0; i < 16; ++i) {
    const std::string id = "job-" + std::to_string(i);
    ASSERT_TRUE(a->start("job", id).status) << id;
    EXPECT_FALSE(a->start("job", id).created) << "starting again is idempotent, wherever it runs";
  }
  for (int i = 0; i < 16; ++i) {
    const std::string id = "job-" + std::to_string(i);
    auto info = a->wait(id, 10s);
    ASSERT_TRUE(info);
    ASSERT_EQ(info->status, WorkflowStatus::completed) << id;
    const std::string node = info->data["b"]["ran_on"];
    ran_on.insert(node);
    const bool a_owns = owned(*a).count(shard_of(id, kShards)) != 0;
    EXPECT_EQ(node, a_owns ? "node-a" : "node-b") << id;
    for (const auto& event : a->history(id)) EXPECT_EQ(event.node, node) << id << " " << event.type;
  }
  EXPECT_EQ(ran_on, (std::set<std::string>{"node-a", "node-b"}));
}

TEST_F(ClusterEngineTest, ASignalSentToAnyNodeReachesTheWorkflow) {
  auto a = make_node("node-a");
  a->recover();
  auto b = make_node("node-b");
  b->recover();
  ASSERT_TRUE(balanced({a.get(), b.get()}));
  const std::string on_b = id_on(*a, false, "wait");
  ASSERT_TRUE(a->start("waiting", on_b).created);
  ASSERT_TRUE(eventually([&] { return b->running_instances() == 1; }, 5s));
  ASSERT_TRUE(a->signal(on_b, "go", {{"from", "a"}}));  // a does not own it: the notice is forwarded
  auto info = a->wait(on_b, 10s);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  EXPECT_EQ(info->data["go"]["from"], "a");
}

TEST_F(ClusterEngineTest, ALostSignalNoticeIsMadeUpForByTheSignalledIndex) {
  auto a = make_node("node-a");
  a->recover();
  const std::string id = "wait-1";
  ASSERT_TRUE(a->start("waiting", id).created);
  ASSERT_TRUE(eventually([&] { return a->running_instances() == 1; }, 5s));
  // Another process appended the signal and died before telling the owner.
  a->store().inbox_append(id, "go", R"({"from":"a process that died"})", 0);
  auto info = a->wait(id, 10s);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  EXPECT_EQ(info->data["go"]["from"], "a process that died");
}

TEST_F(ClusterEngineTest, AStepGoesToTheNodeThatHostsItsHandler) {
  // node-a has no "work" handler of its own: node-b runs it for node-a's workflows.
  auto a = make_node("node-a", {}, /*with_work=*/false, {"work"});
  a->recover();
  auto b = make_node("node-b");
  b->recover();
  ASSERT_TRUE(balanced({a.get(), b.get()}));
  ASSERT_TRUE(eventually([&] {
    for (const auto& member : a->cluster_status().members)
      if (member.node_id == "node-b") return true;
    return false;
  }, 5s));
  const std::string on_a = id_on(*a, true, "remote");
  ASSERT_TRUE(a->start("job", on_a).created);
  auto info = a->wait(on_a, 10s);
  ASSERT_TRUE(info);
  ASSERT_EQ(info->status, WorkflowStatus::completed) << info->error;
  EXPECT_EQ(info->data["a"]["ran_on"], "node-b");
  for (const auto& event : a->history(on_a)) EXPECT_EQ(event.node, "node-a") << "node-a's instance recorded " << event.type;
}

TEST_F(ClusterEngineTest, AStepWhoseHandlerNoNodeHostsFailsAfterItsRetries) {
  auto a = make_node("node-a", {}, /*with_work=*/false, {"work"});
  a->recover();
  ASSERT_TRUE(a->start("job", "nowhere").created);
  auto info = a->wait("nowhere", 10s);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::compensated) << "its first step failed for good: nothing to undo";
  EXPECT_NE(info->error.find("no node of the cluster runs handler 'work'"), std::string::npos) << info->error;
}

TEST_F(ClusterEngineTest, ANodeThatLostItsShardCanWriteNothingAndStepsDown) {
  // Slow heartbeats: nothing renews or rebalances while the test plays the other node.
  auto a = make_node("node-a", {Millis(10'000), Millis(60'000)});
  a->recover();
  const std::string id = "gate-1";
  const int shard = shard_of(id, kShards);
  ASSERT_TRUE(a->start("gate", id).created);
  ASSERT_TRUE(eventually([&] {
    auto events = a->history(id);
    return !events.empty() && events.back().type == "step_dispatched";
  }, 5s));
  // node-a is "paused" past its lease: it expires and node-x takes the shard.
  raw.integer({"DEL", std::string(kPrefix) + "lease:" + std::to_string(shard)});
  auto x = make_redis_coordination(redis_options);
  const auto taken = x->claim(shard, "node-x", Millis(60'000));
  ASSERT_TRUE(taken);
  const size_t events_before = a->history(id).size();
  open_gate();  // node-a's step finishes; its commit carries the old epoch
  ASSERT_TRUE(eventually([&] { return owned(*a).count(shard) == 0; }, 5s)) << "node-a steps down from the shard";
  EXPECT_EQ(owned(*a).size(), static_cast<size_t>(kShards - 1)) << "and keeps the others";
  EXPECT_EQ(a->history(id).size(), events_before) << "the stale write was refused: nothing of it is stored";
  EXPECT_EQ(a->query(id)->status, WorkflowStatus::running);

  // node-x gives the shard up; a fresh node-b takes it, resumes the workflow and finishes it.
  ASSERT_TRUE(x->release(shard, "node-x", *taken));
  auto b = make_node("node-b", {Millis(100), Millis(1'000)});
  b->recover();
  auto info = b->wait(id, 10s);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  bool resumed_by_b = false;
  for (const auto& event : b->history(id)) resumed_by_b |= event.type == "workflow_recovered" && event.node == "node-b";
  EXPECT_TRUE(resumed_by_b);
}

TEST_F(ClusterEngineTest, ANodeLeavingReleasesItsShardsAtOnce) {
  auto a = make_node("node-a", {Millis(100), Millis(30'000)});
  a->recover();
  auto b = make_node("node-b", {Millis(100), Millis(30'000)});
  b->recover();
  ASSERT_TRUE(balanced({a.get(), b.get()}));
  a.reset();  // a clean shutdown: no waiting for 30 s leases to expire
  ASSERT_TRUE(eventually([&] { return owned(*b).size() == static_cast<size_t>(kShards); }, 5s));
}

}  // namespace
}  // namespace actorflow::testing

// A cluster of three real actorflow-node processes on one real redis-server (loopback): workflows
// spread over the nodes; any node takes any call; signals reach workflows wherever they run; a node
// joining takes its share; steps go to the node hosting their handler; kill -9 of a node and
// SIGSTOP of an owner past its lease lose nothing and run no effect twice.
#include "eventually.hpp"
#include "local_cluster.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace actorflow::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kThree{"node-1", "node-2", "node-3"};
const std::vector<std::string> kSagaSteps{"reserve_inventory", "charge_payment", "create_shipment", "send_confirmation"};

// An order saga whose every step takes `step_ms`.
Json slow_order(int step_ms) {
  Json slow = Json::object();
  for (const char* handler : {"inventory.reserve", "payment.charge", "shipping.create", "notify.confirmation"})
    slow[handler] = step_ms;
  return Json{{"sku", "A"}, {"amount", 10}, {"slow_ms", slow}};
}

std::string order_id(int i) { return "order-" + std::to_string(i); }

void start_orders(const NodeProcess& via, int count, int step_ms) {
  for (int i = 0; i < count; ++i) {
    const HttpAnswer started = start_workflow(via, "order_saga", order_id(i), slow_order(step_ms));
    ASSERT_EQ(started.status, 201) << order_id(i) << ": " << started.body.dump();
  }
}

// Polls (through `via`) until every order is completed; the ids that are not.
std::vector<std::string> wait_completed(const NodeProcess& via, int count, std::chrono::milliseconds limit) {
  std::vector<std::string> unfinished;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (int i = 0; i < count; ++i) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const Json info = wait_for_status(via, order_id(i), {"completed", "failed", "compensated", "dead-lettered"},
                                      std::max(left, std::chrono::milliseconds(1)));
    if (info.value("status", "") != "completed") unfinished.push_back(order_id(i) + " " + info.dump());
  }
  return unfinished;
}

// Every step of every order completed once in its history, and its effect was applied once.
// `kills`: whether a node was killed -9 mid-run. The example services note who applied an effect just
// after applying it (effect_recorder.hpp), so a node killed in between leaves the effect with no
// note: then an effect may have 0 notes, never 2.
enum class Kills { none, a_node_was_killed };
void expect_one_writer_at_a_time(const NodeProcess& via, const std::string& id);

void expect_each_step_once(const LocalCluster& cluster, const NodeProcess& via, int count, Kills kills = Kills::none) {
  const RecordedEffects effects = recorded_effects(cluster.store());
  for (int i = 0; i < count; ++i) {
    expect_one_writer_at_a_time(via, order_id(i));
    std::map<std::string, int> completed;
    for (const Json& event : history(via, order_id(i)))
      if (event["type"] == "step_completed") ++completed[event["step"].get<std::string>()];
    for (const auto& step : kSagaSteps) {
      EXPECT_EQ(completed[step], 1) << order_id(i) << " " << step << " completed in history";
      const std::string key = order_id(i) + "/" + step;
      EXPECT_EQ(effects.effects.count(key), 1u) << key;
      const int applied = effects.runs.count(key) ? effects.runs.at(key) : 0;
      if (kills == Kills::none) EXPECT_EQ(applied, 1) << key << " applied";
      else EXPECT_LE(applied, 1) << key << " applied";
    }
  }
}

// Every event of the workflow's history was recorded by the node that owned it then: the one that
// started it, then each node that resumed it (workflow_recovered) from that event on.
void expect_one_writer_at_a_time(const NodeProcess& via, const std::string& id) {
  std::string owner;
  for (const Json& event : history(via, id)) {
    const std::string node = event["node"].get<std::string>();
    if (owner.empty() || event["type"] == "workflow_recovered") owner = node;
    EXPECT_EQ(node, owner) << id << ": " << event.dump();
  }
}

// The nodes that recorded the events of `type` in the workflow's history.
std::set<std::string> nodes_of(const NodeProcess& via, const std::string& id, const std::string& type) {
  std::set<std::string> nodes;
  for (const Json& event : history(via, id))
    if (event["type"] == type) nodes.insert(event["node"].get<std::string>());
  return nodes;
}

TEST(Cluster, WorkflowsSpreadOverTheNodesAndEachRunsWhereItsShardIs) {
  LocalCluster cluster;
  for (const auto& id : kThree) cluster.start(id);
  ASSERT_TRUE(cluster.wait_balanced(kThree, 20s)) << "shards: " << Json(cluster.owners()).dump();
  const auto owners = cluster.owners();
  constexpr int kOrders = 30;
  start_orders(cluster.node("node-1"), kOrders, 0);  // every start goes through node-1
  EXPECT_TRUE(wait_completed(cluster.node("node-2"), kOrders, 30s).empty());
  std::set<std::string> ran_on;
  for (int i = 0; i < kOrders; ++i) {
    const auto nodes = nodes_of(cluster.node("node-3"), order_id(i), "step_completed");
    ASSERT_EQ(nodes.size(), 1u) << order_id(i);
    EXPECT_EQ(*nodes.begin(), owners[static_cast<size_t>(cluster.shard_of(order_id(i)))]) << order_id(i);
    ran_on.insert(*nodes.begin());
  }
  EXPECT_EQ(ran_on, std::set<std::string>(kThree.begin(), kThree.end()));
  expect_each_step_once(cluster, cluster.node("node-1"), kOrders);

  const HttpAnswer status = http_get(cluster.node("node-2"), "/v1/cluster");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.body["members"].size(), 3u);
  EXPECT_EQ(status.body["owned"].size(), 4u);
}

TEST(Cluster, ASignalSentToAnyNodeReachesTheWorkflowWhereverItRuns) {
  LocalCluster cluster;
  for (const auto& id : kThree) cluster.start(id);
  ASSERT_TRUE(cluster.wait_balanced(kThree, 20s));
  constexpr int kOrders = 12;
  for (int i = 0; i < kOrders; ++i) {
    const HttpAnswer started = start_workflow(cluster.node(kThree[static_cast<size_t>(i) % 3]), "purchase_order",
                                              "po-" + std::to_string(i), Json{{"amount_cents", 25'000}});
    ASSERT_EQ(started.status, 201) << started.body.dump();
  }
  for (int i = 0; i < kOrders; ++i) {
    const std::string id = "po-" + std::to_string(i);
    ASSERT_TRUE(wait_for_history_event(cluster.node("node-1"), id, "approval_waiting", 10s)) << id;
    // Sent to the node after the one that started it: often not the owner.
    const HttpAnswer approved = http_post(cluster.node(kThree[static_cast<size_t>(i + 1) % 3]),
                                          "/v1/workflows/" + id + "/signals/manager_approval",
                                          Json{{"decision", "approve"}, {"by", "maria"}}.dump());
    ASSERT_EQ(approved.status, 202) << approved.body.dump();
  }
  for (int i = 0; i < kOrders; ++i) {
    const std::string id = "po-" + std::to_string(i);
    EXPECT_EQ(wait_for_status(cluster.node("node-2"), id, {"completed", "compensated", "failed"}, 20s).value("status", ""),
              "completed") << id;
  }
}

TEST(Cluster, KillNineOfANodeMidRunLosesNothingAndRunsNoEffectTwice) {
  LocalCluster cluster;
  for (const auto& id : kThree) cluster.start(id);
  ASSERT_TRUE(cluster.wait_balanced(kThree, 20s));
  constexpr int kOrders = 30;
  start_orders(cluster.node("node-1"), kOrders, 300);  // about 1.2 s each
  const auto owners = cluster.owners();
  int on_victim = 0;
  for (int i = 0; i < kOrders; ++i) on_victim += owners[static_cast<size_t>(cluster.shard_of(order_id(i)))] == "node-2";
  ASSERT_GT(on_victim, 0);
  // Mid-run: some of node-2's orders have a step done, none is finished.
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < kOrders; ++i)
      if (owners[static_cast<size_t>(cluster.shard_of(order_id(i)))] == "node-2" &&
          !nodes_of(cluster.node("node-1"), order_id(i), "step_completed").empty())
        return true;
    return false;
  }, 10s));
  const auto killed_at = std::chrono::steady_clock::now();
  cluster.kill9("node-2");

  const std::vector<std::string> survivors{"node-1", "node-3"};
  ASSERT_TRUE(cluster.wait_balanced(survivors, 20s)) << Json(cluster.owners()).dump();
  const auto taken_over = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_completed(cluster.node("node-3"), kOrders, 30s).empty());
  const auto done = std::chrono::steady_clock::now();
  std::cout << "[ measured ] lease_ttl 2 s: shards of the killed node taken over after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(taken_over - killed_at).count()
            << " ms, every workflow completed " << std::chrono::duration_cast<std::chrono::milliseconds>(done - killed_at).count()
            << " ms after the kill\n";
  expect_each_step_once(cluster, cluster.node("node-1"), kOrders, Kills::a_node_was_killed);
  int resumed = 0;
  for (int i = 0; i < kOrders; ++i) {
    const auto recovered_by = nodes_of(cluster.node("node-1"), order_id(i), "workflow_recovered");
    resumed += !recovered_by.empty();
    EXPECT_EQ(recovered_by.count("node-2"), 0u) << order_id(i);
  }
  EXPECT_GT(resumed, 0) << "the survivors resumed the killed node's workflows";
}

TEST(Cluster, AnOwnerStoppedPastItsLeaseHasItsStaleWritesRefusedAndStepsDown) {
  LocalCluster cluster;
  for (const auto& id : kThree) cluster.start(id);
  ASSERT_TRUE(cluster.wait_balanced(kThree, 20s));
  constexpr int kOrders = 24;
  start_orders(cluster.node("node-1"), kOrders, 400);
  const auto owners = cluster.owners();
  ASSERT_TRUE(eventually([&] {
    return !nodes_of(cluster.node("node-1"), order_id(0), "step_completed").empty();
  }, 10s));
  cluster.node("node-3").pause();  // SIGSTOP: its handlers, its timers and its lease renewals stop
  // The others take its shards once its leases expire.
  ASSERT_TRUE(eventually([&] { return cluster.shards_by_owner().count("node-3") == 0; }, 20s));
  ASSERT_TRUE(cluster.wait_balanced({"node-1", "node-2"}, 20s));
  cluster.node("node-3").resume();
  // Its lease renewals carry the old epochs: refused, so it drops every shard it held.
  ASSERT_TRUE(cluster.node("node-3").wait_for_event("shard_lost", 10s)) << cluster.node("node-3").log();
  EXPECT_NE(cluster.node("node-3").log().find("renewal refused: another node holds the shard"), std::string::npos);
  EXPECT_TRUE(wait_completed(cluster.node("node-1"), kOrders, 40s).empty());
  expect_each_step_once(cluster, cluster.node("node-1"), kOrders);
  // Nothing node-3 did after the takeover is in any history: each of its stale writes was refused.
  int taken_over = 0;
  for (int i = 0; i < kOrders; ++i) {
    expect_one_writer_at_a_time(cluster.node("node-1"), order_id(i));
    if (owners[static_cast<size_t>(cluster.shard_of(order_id(i)))] == "node-3")
      taken_over += nodes_of(cluster.node("node-1"), order_id(i), "workflow_recovered").size() > 0;
  }
  EXPECT_GT(taken_over, 0);
  const std::string log = cluster.node("node-3").log();
  const auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  };
  std::cout << "[ measured ] after SIGCONT node-3 had " << count("renewal refused") << " lease renewal(s) and "
            << count(R"("event":"instance_fenced")") << " workflow write(s) refused for a stale epoch\n";
  // node-3 is still a member and gets its share back.
  EXPECT_TRUE(cluster.wait_balanced(kThree, 20s)) << Json(cluster.owners()).dump();
}

TEST(Cluster, ANodeJoiningTakesItsShareOfTheShards) {
  LocalCluster cluster;
  cluster.start("node-1");
  cluster.start("node-2");
  ASSERT_TRUE(cluster.wait_balanced({"node-1", "node-2"}, 20s));
  constexpr int kOrders = 24;
  start_orders(cluster.node("node-1"), kOrders, 250);
  cluster.start("node-3");
  ASSERT_TRUE(cluster.wait_balanced(kThree, 20s)) << Json(cluster.owners()).dump();
  EXPECT_TRUE(cluster.node("node-1").wait_for_event("shard_handed_over", 1s) ||
              cluster.node("node-2").wait_for_event("shard_handed_over", 1s));
  EXPECT_TRUE(wait_completed(cluster.node("node-3"), kOrders, 30s).empty());
  expect_each_step_once(cluster, cluster.node("node-3"), kOrders);
  // New work for node-3's shards runs on node-3.
  const auto owners = cluster.owners();
  for (int i = kOrders; i < kOrders + 12; ++i) {
    const HttpAnswer started = start_workflow(cluster.node("node-1"), "order_saga", order_id(i), slow_order(0));
    ASSERT_EQ(started.status, 201) << started.body.dump();
  }
  for (int i = kOrders; i < kOrders + 12; ++i) {
    EXPECT_EQ(wait_for_status(cluster.node("node-2"), order_id(i), {"completed"}, 20s).value("status", ""), "completed");
    EXPECT_EQ(nodes_of(cluster.node("node-2"), order_id(i), "step_completed"),
              std::set<std::string>{owners[static_cast<size_t>(cluster.shard_of(order_id(i)))]});
  }
}

TEST(Cluster, StepsGoToTheNodeThatHostsTheirHandler) {
  LocalCluster cluster;
  // node-1 and node-2 send payments to node-3, the only node that runs the payment adapter.
  const std::string remote = "  remote_handlers: [payment.charge, payment.refund]\n";
  cluster.start("node-1", remote);
  cluster.start("node-2", remote);
  cluster.start("node-3");
  ASSERT_TRUE(cluster.wait_balanced(kThree, 20s));
  ASSERT_TRUE(eventually([&] {
    // Every node is connected to node-3 (it is a member every node sees with its handlers).
    for (const auto& id : kThree) {
      const HttpAnswer status = http_get(cluster.node(id), "/v1/cluster");
      if (status.status != 200 || status.body["members"].size() != 3) return false;
    }
    return true;
  }, 10s));
  constexpr int kOrders = 12;
  start_orders(cluster.node("node-2"), kOrders, 0);
  EXPECT_TRUE(wait_completed(cluster.node("node-1"), kOrders, 30s).empty());
  const RecordedEffects effects = recorded_effects(cluster.store());
  int charges = 0;
  for (const auto& [key, handler] : effects.effects) {
    if (handler != "payment.charge") continue;
    ++charges;
  }
  EXPECT_EQ(charges, kOrders);
  // The run records name the process that applied each effect: "<key>/<node id>.<pid>.<n>".
  for (const auto& [key, value] : cluster.store().ledger_scan("run/")) {
    const bool payment = Json::parse(value)["handler"] == "payment.charge";
    const bool on_node_3 = key.find("/node-3.") != std::string::npos;
    if (payment) {
      EXPECT_TRUE(on_node_3) << key;
    }
  }
}

}  // namespace
}  // namespace actorflow::testing

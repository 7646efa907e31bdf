// Graceful shutdown of a real node: SIGTERM drains (steps already running finish, writes get 503
// meanwhile), the node exits 0, and a new node on the same SQLite store finishes every workflow:
// nothing lost, no effect applied twice.
#include "node_process.hpp"
#include "sqlite_observer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kWorkflows = 6;

std::string order_id(int i) { return "drain-" + std::to_string(i); }

// Polls (bounded) until some workflow's create_shipment handler runs: the example plugin records
// each attempt in the ledger before it sleeps (read beside the node, which holds the file's lock).
// A step only dispatched may still be queued at SIGTERM, and a drain starts no queued step.
bool wait_for_a_running_shipment(const NodeDir& dir) {
  const auto observer = open_sqlite_observer(dir.store_path());
  const auto deadline = SteadyClock::now() + 20s;
  while (SteadyClock::now() < deadline) {
    for (int i = 0; i < kWorkflows; ++i)
      if (!observer->ledger_scan("attempt/" + order_id(i) + "/create_shipment").empty()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

uint64_t completed_in(Store& store) {
  for (const auto& [status, count] : store.count_by_status())
    if (status == WorkflowStatus::completed) return count;
  return 0;
}

// Every workflow completed on `node`, and each of its four effects was applied exactly once.
void expect_all_finished_once(const NodeDir& dir) {
  const auto store = dir.open_store();
  EXPECT_EQ(completed_in(*store), static_cast<uint64_t>(kWorkflows));
  for (int i = 0; i < kWorkflows; ++i) {
    const auto recorded = recorded_effects(*store, order_id(i));
    EXPECT_EQ(recorded.effects.size(), 4u) << order_id(i);
    for (const auto& [key, handler] : recorded.effects)
      EXPECT_EQ(recorded.runs.count(key) ? recorded.runs.at(key) : 0, 1) << key;
  }
}

// Starts kWorkflows order sagas whose shipment takes `slow_ms`.
void start_slow_sagas(const NodeProcess& node, int slow_ms) {
  for (int i = 0; i < kWorkflows; ++i) {
    const Json input{{"order_id", order_id(i)}, {"slow_ms", {{"shipping.create", slow_ms}}}};
    ASSERT_EQ(start_workflow(node, "order_saga", order_id(i), input).status, 201);
  }
}

}  // namespace

TEST(NodeDrain, SigtermLetsRunningStepsFinishAndANewNodeFinishesTheRest) {
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.step_workers = 2;  // so that shipments wait for a worker and are still queued at SIGTERM
  setup.drain_timeout = "20s";
  {
    NodeProcess node(dir, setup);
    start_slow_sagas(node, 2'000);
    ASSERT_TRUE(wait_for_a_running_shipment(dir));

    const auto signalled = SteadyClock::now();
    node.signal_stop();
    ASSERT_TRUE(node.wait_for_event("node_stopping", 10s)) << node.log();
    // Draining: writes are refused, reads answered.
    const HttpAnswer refused = start_workflow(node, "order_saga", "too-late");
    EXPECT_EQ(refused.status, 503) << refused.body.dump();
    EXPECT_EQ(refused.body.value("error", ""), "node is draining");
    EXPECT_EQ(http_get(node, "/v1/workflows/" + order_id(0)).status, 200);

    EXPECT_EQ(node.wait_exit(30s), 0) << node.log();
    EXPECT_LT(SteadyClock::now() - signalled, 20s + 5s);
    const std::string log = node.log();
    EXPECT_NE(log.find(R"("complete":true)"), std::string::npos) << log;
    EXPECT_NE(log.find(R"("event":"node_stopped")"), std::string::npos) << log;
  }
  {
    // The drain left work for the next node (else this test shows nothing).
    const auto store = dir.open_store();
    EXPECT_LT(completed_in(*store), static_cast<uint64_t>(kWorkflows));
    EXPECT_TRUE(recorded_effects(*store, "too-late").effects.empty());
  }
  {
    setup.node_id = "test-node-2";
    NodeProcess node(dir, setup, "node2.yaml");
    for (int i = 0; i < kWorkflows; ++i)
      EXPECT_EQ(wait_for_status(node, order_id(i), {"completed"}, 60s).value("status", ""), "completed") << order_id(i);
    EXPECT_EQ(http_get(node, "/v1/workflows/too-late").status, 404);
    EXPECT_EQ(node.stop(), 0) << node.log();
  }
  expect_all_finished_once(dir);
}

TEST(NodeDrain, StepsStillRunningAtTheDeadlineAreAbandonedAndRunOnceByTheNextNode) {
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.drain_timeout = "300ms";
  {
    NodeProcess node(dir, setup);
    start_slow_sagas(node, 6'000);
    ASSERT_TRUE(wait_for_a_running_shipment(dir));
    const auto signalled = SteadyClock::now();
    EXPECT_EQ(node.stop(30s), 0) << node.log();
    // It does not wait for the 6 s steps.
    EXPECT_LT(SteadyClock::now() - signalled, 4s) << node.log();
    EXPECT_NE(node.log().find(R"("complete":false)"), std::string::npos) << node.log();
  }
  {
    setup.node_id = "test-node-2";
    NodeProcess node(dir, setup, "node2.yaml");
    for (int i = 0; i < kWorkflows; ++i)
      EXPECT_EQ(wait_for_status(node, order_id(i), {"completed"}, 60s).value("status", ""), "completed") << order_id(i);
    EXPECT_EQ(node.stop(), 0) << node.log();
  }
  expect_all_finished_once(dir);
}

TEST(NodeDrain, SigintStopsTheNodeToo) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  node.signal_stop(/*interrupt=*/true);
  EXPECT_EQ(node.wait_exit(30s), 0) << node.log();
  EXPECT_NE(node.log().find(R"("signal":"SIGINT")"), std::string::npos) << node.log();
}

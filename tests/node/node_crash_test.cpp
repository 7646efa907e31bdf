// A handler that aborts the process (std::abort in a plugin) on a real node with a SQLite store:
// each start of the node counts the death against the step that was running; at
// crash_attempts_max deaths in a row the step is not run again, the workflow is compensated, the
// node serves on and the workflows that shared the process with it complete.
#include "node_process.hpp"
#include "poison_pill.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kCrashAttemptsMax = 2;  // the default
constexpr int kOrders = 6;
const std::vector<std::string> kTerminal{"completed", "failed", "compensated", "dead-lettered"};

std::string order_id(int i) { return "bystander-" + std::to_string(i); }

// Polls (bounded) until the node's process has ended or `id` is terminal there: true for the latter.
bool serves_until_terminal(NodeProcess& node, const std::string& id, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (node.has_exited()) return false;
    const HttpAnswer answer = http_get(node, "/v1/workflows/" + id);
    if (answer.status == 200 && answer.body.is_object()) {
      const std::string status = answer.body.value("status", "");
      for (const auto& terminal : kTerminal)
        if (status == terminal) return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST(NodeCrash, AHandlerThatAbortsTheProcessCostsAtMostCrashAttemptsMaxDeathsAndTheOthersComplete) {
  NodeDir dir;
  dir.write("workflows/poison_pill.yaml", kPoisonPillYaml);
  NodeSetup setup = dir.setup();
  setup.plugins.push_back(ABORTING_PLUGIN);
  int starts = 0;
  {
    NodeProcess node(dir, setup);
    ++starts;
    // Bystanders whose shipment is running when the poison aborts the process.
    for (int i = 0; i < kOrders; ++i) {
      const Json input{{"order_id", order_id(i)}, {"slow_ms", {{"shipping.create", 300}}}};
      ASSERT_EQ(start_workflow(node, "order_saga", order_id(i), input).status, 201);
    }
    ASSERT_EQ(start_workflow(node, "poison_pill", "poison", {{"abort", true}, {"abort_after_ms", 100}}).status, 201);
    EXPECT_EQ(node.wait_exit(20s), 128 + SIGABRT) << node.log();
  }
  std::unique_ptr<NodeProcess> serving;
  while (starts <= kCrashAttemptsMax + 1 && !serving) {
    ++starts;
    try {
      auto node = std::make_unique<NodeProcess>(dir, setup);
      if (serves_until_terminal(*node, "poison", 30s)) serving = std::move(node);
      else ASSERT_TRUE(node->has_exited()) << "neither died nor ended the poison workflow:\n" << node->log();
    } catch (const std::runtime_error&) {
      // It died while starting (recovering the poison workflow), before it served.
    }
  }
  ASSERT_TRUE(serving) << "the node was not serving after " << starts - 1 << " starts";
  EXPECT_LE(starts, kCrashAttemptsMax + 1);

  const Json poison = wait_for_status(*serving, "poison", kTerminal);
  EXPECT_EQ(poison.value("status", ""), "compensated") << poison.dump();
  const std::string error = poison.value("error", "");
  EXPECT_NE(error.find("step 'explode' failed after 2 attempts: the process died while this step ran, 2 times in a row"),
            std::string::npos) << error;
  int bystanders_counted = 0;  // bystander steps that were in flight when the process died
  for (int i = 0; i < kOrders; ++i) {
    EXPECT_EQ(wait_for_status(*serving, order_id(i), kTerminal).value("status", ""), "completed") << order_id(i);
    for (const Json& event : history(*serving, order_id(i)))
      bystanders_counted += event.value("type", "") == "step_retrying" &&
                            event.value("detail", "").find("the process died while this step ran") != std::string::npos;
  }
  EXPECT_GT(bystanders_counted, 0) << "no other workflow shared the process when it died";
  std::cout << "[ measured ] the node served again after " << starts << " starts; " << bystanders_counted
            << " steps of other workflows were in flight at a death and completed\n";

  // The crash loop is visible: /healthz, the log and /metrics.
  const HttpAnswer health = http_get(*serving, "/healthz");
  ASSERT_EQ(health.status, 200);
  bool named = false;
  for (const Json& recovery : health.body.value("crash_recoveries", Json::array()))
    named |= recovery.value("detail", "") == "recovered after a crash while step explode of workflow poison ran (2 of 2)";
  EXPECT_TRUE(named) << health.body.dump();
  EXPECT_TRUE(serving->wait_for_event("step_crash_recovered", 1s));
  const HttpAnswer metrics = http_get(*serving, "/metrics");
  EXPECT_NE(metrics.body.get<std::string>().find("actorflow_crash_suspected_steps_total"), std::string::npos);
  EXPECT_EQ(serving->stop(), 0);
}

// Three real nodes on a real redis-server, and one workflow whose handler aborts the process: the
// crash count is in the workflow's snapshot, so each node that takes the workflow's shard counts
// on from where the dead one stopped. The poison costs at most crash_attempts_max node deaths in
// the whole cluster, and the other workflows finish.
#include "local_cluster.hpp"
#include "poison_pill.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace actorflow::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kCrashAttemptsMax = 2;  // the default
constexpr int kOrders = 12;
const std::vector<std::string> kThree{"node-1", "node-2", "node-3"};
const std::vector<std::string> kTerminal{"completed", "failed", "compensated", "dead-lettered"};

std::string order_id(int i) { return "order-" + std::to_string(i); }

// The workflow's status as a running node answers it ("" when none does), noting the nodes that died.
std::string status_of(LocalCluster& cluster, const std::string& id, std::set<std::string>& dead) {
  for (const auto& ended : cluster.reap_exited()) dead.insert(ended);
  for (const auto& node : cluster.running_nodes()) {
    const HttpAnswer answer = http_get(cluster.node(node), "/v1/workflows/" + id);
    if (answer.status == 200 && answer.body.is_object()) return answer.body.value("status", "");
  }
  return "";
}

bool terminal(const std::string& status) {
  for (const auto& t : kTerminal)
    if (status == t) return true;
  return false;
}

}  // namespace

TEST(ClusterCrash, APoisonWorkflowCostsAtMostCrashAttemptsMaxNodeDeathsInTheWholeCluster) {
  ClusterNodeExtras extras;
  extras.plugins = {ABORTING_PLUGIN};
  LocalCluster cluster(12, ClusterTimings{}, extras);
  cluster.dir().write("workflows/poison_pill.yaml", kPoisonPillYaml);
  for (const auto& id : kThree) cluster.start(id);
  ASSERT_TRUE(cluster.wait_balanced(kThree, 20s));

  for (int i = 0; i < kOrders; ++i) {
    const Json input{{"sku", "A"}, {"amount", 10}, {"slow_ms", {{"shipping.create", 200}}}};
    ASSERT_EQ(start_workflow(cluster.node("node-1"), "order_saga", order_id(i), input).status, 201) << order_id(i);
  }
  ASSERT_EQ(start_workflow(cluster.node("node-1"), "poison_pill", "poison", {{"abort", true}, {"abort_after_ms", 100}}).status,
            201);

  std::set<std::string> dead;
  std::string poison;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline && !terminal(poison)) {
    poison = status_of(cluster, "poison", dead);
    if (cluster.running_nodes().empty()) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(poison, "compensated") << dead.size() << " nodes died";
  EXPECT_LE(static_cast<int>(dead.size()), kCrashAttemptsMax);
  EXPECT_GE(dead.size(), 1u) << "the poison never killed a node";
  ASSERT_FALSE(cluster.running_nodes().empty());
  std::cout << "[ measured ] the poison workflow cost " << dead.size() << " node deaths (crash_attempts_max "
            << kCrashAttemptsMax << ")\n";

  const NodeProcess& survivor = cluster.node(cluster.running_nodes().front());
  for (int i = 0; i < kOrders; ++i)
    EXPECT_EQ(wait_for_status(survivor, order_id(i), kTerminal, 30s).value("status", ""), "completed") << order_id(i);
  // The count went from node to node: the step failed for good on the node that found it in flight
  // for the second time, after the first node's death had been counted elsewhere.
  int crash_counts = 0;
  for (const Json& event : history(survivor, "poison")) {
    const std::string type = event.value("type", ""), detail = event.value("detail", "");
    if ((type == "step_retrying" || type == "step_failed") &&
        detail.find("the process died while this step ran") != std::string::npos)
      ++crash_counts;
  }
  EXPECT_EQ(crash_counts, static_cast<int>(dead.size()));
  for (const auto& ended : cluster.reap_exited()) dead.insert(ended);
  EXPECT_LE(static_cast<int>(dead.size()), kCrashAttemptsMax) << "a node died after the poison ended";
}

}  // namespace actorflow::testing

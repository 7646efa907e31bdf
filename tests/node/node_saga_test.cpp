// The example workflows (config/workflows) on a real node with the example plugin, driven over
// HTTP: the order saga, its compensation, the approval chain, cancel and dead-letter retry.
// Effects are read from the node's SQLite store after it stopped (effect_recorder.hpp says how the
// plugin keeps them).
#include "node_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

// The events of `events` of type `type`, as their steps, in order.
std::vector<std::string> steps_of(const std::vector<Json>& events, const std::string& type) {
  std::vector<std::string> steps;
  for (const auto& e : events)
    if (e.value("type", "") == type) steps.push_back(e.value("step", ""));
  return steps;
}

// Every effect ran exactly once.
void expect_each_ran_once(const RecordedEffects& recorded) {
  for (const auto& [key, handler] : recorded.effects)
    EXPECT_EQ(recorded.runs.count(key) ? recorded.runs.at(key) : 0, 1) << key << " (" << handler << ")";
  EXPECT_EQ(recorded.runs.size(), recorded.effects.size());
}

const std::map<std::string, std::string> kCompletedSaga{
    {"order-1/reserve_inventory", "inventory.reserve"},
    {"order-1/charge_payment", "payment.charge"},
    {"order-1/create_shipment", "shipping.create"},
    {"order-1/send_confirmation", "notify.confirmation"},
};

}  // namespace

TEST(NodeSaga, OrderSagaFromYamlCompletesAndEachEffectRunsOnce) {
  NodeDir dir;
  {
    NodeProcess node(dir, dir.setup());
    const HttpAnswer started = start_workflow(node, "order_saga", "order-1", {{"order_id", "order-1"}});
    ASSERT_EQ(started.status, 201) << started.body.dump();
    const Json done = wait_for_status(node, "order-1", {"completed", "failed", "compensated", "dead-lettered"});
    ASSERT_EQ(done.value("status", ""), "completed") << done.dump();
    EXPECT_EQ(done["data"]["charge_payment"]["payment_id"], "payment-order-1");
    EXPECT_EQ(done["data"]["create_shipment"]["shipment_id"], "shipment-order-1");
    EXPECT_EQ(steps_of(history(node, "order-1"), "step_completed"),
              (std::vector<std::string>{"reserve_inventory", "charge_payment", "create_shipment", "send_confirmation"}));

    // Starting the same id again starts nothing.
    const HttpAnswer again = start_workflow(node, "order_saga", "order-1", {{"order_id", "order-1"}});
    EXPECT_EQ(again.status, 200) << again.body.dump();
    EXPECT_EQ(node.stop(), 0) << node.log();
  }
  const auto recorded = recorded_effects(*dir.open_store(), "order-1");
  EXPECT_EQ(recorded.effects, kCompletedSaga);
  expect_each_ran_once(recorded);
}

TEST(NodeSaga, FailingPaymentCompensatesTheReservation) {
  NodeDir dir;
  {
    NodeProcess node(dir, dir.setup());
    ASSERT_EQ(start_workflow(node, "order_saga", "order-2", {{"fail", "payment.charge"}}).status, 201);
    const Json done = wait_for_status(node, "order-2", {"completed", "failed", "compensated", "dead-lettered"});
    ASSERT_EQ(done.value("status", ""), "compensated") << done.dump();
    EXPECT_NE(done.value("error", "").find("injected failure of payment.charge"), std::string::npos) << done.dump();
    const auto events = history(node, "order-2");
    EXPECT_EQ(steps_of(events, "step_completed"), (std::vector<std::string>{"reserve_inventory"}));
    EXPECT_EQ(steps_of(events, "step_failed"), (std::vector<std::string>{"charge_payment"}));
    EXPECT_EQ(steps_of(events, "compensation_completed"), (std::vector<std::string>{"reserve_inventory"}));
    EXPECT_EQ(node.stop(), 0) << node.log();
  }
  const auto recorded = recorded_effects(*dir.open_store(), "order-2");
  const std::map<std::string, std::string> expected{
      {"order-2/reserve_inventory", "inventory.reserve"},
      {"order-2/reserve_inventory#compensate", "inventory.release"},
  };
  EXPECT_EQ(recorded.effects, expected);
  EXPECT_EQ(recorded.results["order-2/reserve_inventory#compensate"],
            (Json{{"undone", true}, {"undid", {{"reservation_id", "reservation-order-2"}}}}));
  expect_each_ran_once(recorded);
}

TEST(NodeSaga, FailingShipmentCompensatesInReverseOrder) {
  NodeDir dir;
  {
    NodeProcess node(dir, dir.setup());
    ASSERT_EQ(start_workflow(node, "order_saga", "order-3", {{"fail", Json::array({"shipping.create"})}}).status, 201);
    const Json done = wait_for_status(node, "order-3", {"completed", "failed", "compensated", "dead-lettered"});
    ASSERT_EQ(done.value("status", ""), "compensated") << done.dump();
    EXPECT_EQ(steps_of(history(node, "order-3"), "compensation_completed"),
              (std::vector<std::string>{"charge_payment", "reserve_inventory"}));
    EXPECT_EQ(node.stop(), 0) << node.log();
  }
  const auto recorded = recorded_effects(*dir.open_store(), "order-3");
  const std::map<std::string, std::string> expected{
      {"order-3/reserve_inventory", "inventory.reserve"},
      {"order-3/reserve_inventory#compensate", "inventory.release"},
      {"order-3/charge_payment", "payment.charge"},
      {"order-3/charge_payment#compensate", "payment.refund"},
  };
  EXPECT_EQ(recorded.effects, expected);
  EXPECT_EQ(recorded.results["order-3/charge_payment#compensate"]["undid"], (Json{{"payment_id", "payment-order-3"}}));
  expect_each_ran_once(recorded);
}

TEST(NodeSaga, ApprovedPurchaseOrderIsPlaced) {
  NodeDir dir;
  {
    NodeProcess node(dir, dir.setup());
    const Json input{{"order_id", "po-1"}, {"amount_cents", 50'000}, {"requested_by", "bob"}};
    ASSERT_EQ(start_workflow(node, "purchase_order", "po-1", input).status, 201);
    ASSERT_TRUE(wait_for_history_event(node, "po-1", "approval_waiting"));
    const HttpAnswer approved = http_post(node, "/v1/workflows/po-1/signals/manager_approval",
                                          Json{{"decision", "approve"}, {"by", "alice"}}.dump());
    EXPECT_EQ(approved.status, 202) << approved.body.dump();
    const Json done = wait_for_status(node, "po-1", {"completed", "failed", "compensated", "dead-lettered"});
    ASSERT_EQ(done.value("status", ""), "completed") << done.dump();
    const auto events = history(node, "po-1");
    const auto granted = std::find_if(events.begin(), events.end(),
                                      [](const Json& e) { return e.value("type", "") == "approval_granted"; });
    ASSERT_NE(granted, events.end());
    EXPECT_EQ(granted->value("detail", ""), "by alice") << granted->dump();
    EXPECT_EQ(node.stop(), 0) << node.log();
  }
  const auto recorded = recorded_effects(*dir.open_store(), "po-1");
  const std::map<std::string, std::string> expected{{"po-1/hold_budget", "hold_budget"},
                                                    {"po-1/place_order", "place_order"}};
  EXPECT_EQ(recorded.effects, expected);
  expect_each_ran_once(recorded);
}

TEST(NodeSaga, CancelWhileWaitingForApprovalCompensates) {
  NodeDir dir;
  {
    NodeProcess node(dir, dir.setup());
    ASSERT_EQ(start_workflow(node, "purchase_order", "po-2", {{"order_id", "po-2"}, {"amount_cents", 20'000}}).status,
              201);
    ASSERT_TRUE(wait_for_history_event(node, "po-2", "approval_waiting"));
    const HttpAnswer cancelled =
        http_post(node, "/v1/workflows/po-2/cancel", Json{{"by", "carol"}, {"reason", "budget frozen"}}.dump());
    EXPECT_EQ(cancelled.status, 202) << cancelled.body.dump();
    const Json done = wait_for_status(node, "po-2", {"completed", "failed", "compensated", "dead-lettered"});
    ASSERT_EQ(done.value("status", ""), "compensated") << done.dump();
    EXPECT_EQ(done.value("error", ""), "cancelled by carol: budget frozen");
    EXPECT_EQ(steps_of(history(node, "po-2"), "compensation_completed"), (std::vector<std::string>{"hold_budget"}));
    // A cancelled workflow has ended: a second cancel is refused.
    EXPECT_EQ(http_post(node, "/v1/workflows/po-2/cancel", Json{{"by", "carol"}, {"reason", "again"}}.dump()).status / 100,
              4);
    EXPECT_EQ(node.stop(), 0) << node.log();
  }
  const auto recorded = recorded_effects(*dir.open_store(), "po-2");
  const std::map<std::string, std::string> expected{{"po-2/hold_budget", "hold_budget"},
                                                    {"po-2/hold_budget#compensate", "release_budget"}};
  EXPECT_EQ(recorded.effects, expected);
  EXPECT_EQ(recorded.results["po-2/hold_budget#compensate"]["undone"], true);
  expect_each_ran_once(recorded);
}

TEST(NodeSaga, DeadLetteredWorkflowRunsOnWhenRetriedAfterTheCauseIsFixed) {
  NodeDir dir;
  dir.write("workflows/fulfilment.yaml",
            "name: fulfilment\n"
            "version: 1\n"
            "defaults:\n"
            "  on_error: dead-letter\n"
            "steps:\n"
            "  - step: reserve_inventory\n"
            "    handler: inventory.reserve\n"
            "  - step: create_shipment\n"
            "    handler: shipping.create\n");
  const std::string warehouse_open = dir.file("warehouse-open");
  {
    NodeProcess node(dir, dir.setup());
    const Json input{{"fail_while_missing", {{"shipping.create", warehouse_open}}}};
    ASSERT_EQ(start_workflow(node, "fulfilment", "ship-1", input).status, 201);
    const Json parked = wait_for_status(node, "ship-1", {"completed", "failed", "compensated", "dead-lettered"});
    ASSERT_EQ(parked.value("status", ""), "dead-lettered") << parked.dump();
    const HttpAnswer letters = http_get(node, "/v1/dead-letters");
    ASSERT_EQ(letters.status, 200);
    ASSERT_EQ(letters.body["dead_letters"].size(), 1u) << letters.body.dump();
    EXPECT_EQ(letters.body["dead_letters"][0]["workflow_id"], "ship-1");
    EXPECT_NE(letters.body["dead_letters"][0].value("reason", "").find(warehouse_open), std::string::npos)
        << letters.body.dump();

    std::ofstream(warehouse_open) << "open\n";  // the operator fixes the cause
    const HttpAnswer retried = http_post(node, "/v1/workflows/ship-1/retry", Json{{"by", "ops"}}.dump());
    EXPECT_EQ(retried.status, 202) << retried.body.dump();
    const Json done = wait_for_status(node, "ship-1", {"completed", "failed", "compensated"});
    ASSERT_EQ(done.value("status", ""), "completed") << done.dump();
    EXPECT_TRUE(http_get(node, "/v1/dead-letters").body["dead_letters"].empty());
    // Retrying a workflow that is not dead-lettered is refused.
    EXPECT_EQ(http_post(node, "/v1/workflows/ship-1/retry", Json{{"by", "ops"}}.dump()).status / 100, 4);
    EXPECT_EQ(node.stop(), 0) << node.log();
  }
  const auto recorded = recorded_effects(*dir.open_store(), "ship-1");
  const std::map<std::string, std::string> expected{{"ship-1/reserve_inventory", "inventory.reserve"},
                                                    {"ship-1/create_shipment", "shipping.create"}};
  EXPECT_EQ(recorded.effects, expected);
  expect_each_ran_once(recorded);
}

TEST(NodeHttp, TheDashboardIsServedBesideTheApi) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  const HttpAnswer page = http_get(node, "/ui/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.content_type.find("text/html"), std::string::npos) << page.content_type;
  EXPECT_EQ(http_get(node, "/v1/stats").status, 200);
  EXPECT_EQ(node.stop(), 0) << node.log();
}

// Our own examples, checked at every failure point with the failure-point explorer: the order
// saga with its fake services, and the approval chain's purchase order in each of its scenarios.
#include "approval_chain/purchase_order.hpp"
#include "order_saga/consistency_check.hpp"
#include "order_saga/order_workflow.hpp"

#include <actorflow/testing/failure_explorer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <set>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

// ---- the order saga -----------------------------------------------------------------------

struct OrderWorld {
  order_saga::OrderServices services{{{"sku-1", 10}}};
};

ExplorationReport explore_order_saga(const order_saga::Order& order) {
  ExplorationOptions options;
  options.definition = std::string(order_saga::kOrderSagaWorkflow);
  options.input = order_saga::to_json(order);
  return explore_failure_points<OrderWorld>(
      options,
      [](Engine& engine, OrderWorld& world) {
        order_saga::register_order_handlers(engine, world.services);
        ASSERT_TRUE(engine.register_workflow(order_saga::order_saga_definition()));
      },
      // The example's own check: what the services hold agrees with how the saga ended.
      [](const OrderWorld& world, const RunResult& run) {
        return order_saga::check_consistency(world.services, {run.info}).violations;
      });
}

// ---- the purchase order -------------------------------------------------------------------

struct PurchaseWorld {
  approval_chain::Ledger ledger;
};

int count_of(const std::vector<std::string>& notes, const std::string& what) {
  return static_cast<int>(std::count(notes.begin(), notes.end(), what));
}

// Completed: the budget held (not released) and the order placed, once. Compensated: the hold
// released (if it was taken), nothing placed. Dead-lettered: parked. Nothing noted twice.
std::vector<std::string> purchase_invariant(const PurchaseWorld& world, const RunResult& run) {
  const std::string order_id = run.info.data.value("order_id", "");
  const auto all_notes = world.ledger.notes();
  const auto found = all_notes.find(order_id);
  const std::vector<std::string> notes = found == all_notes.end() ? std::vector<std::string>{} : found->second;
  const int held = count_of(notes, "budget held"), released = count_of(notes, "budget released"),
            placed = count_of(notes, "order placed");
  std::vector<std::string> problems;
  auto expect = [&](bool holds, const std::string& what) {
    if (!holds)
      problems.push_back(what + " (held " + std::to_string(held) + ", released " + std::to_string(released) +
                         ", placed " + std::to_string(placed) + ")");
  };
  for (const auto& note : std::set<std::string>(notes.begin(), notes.end()))
    if (count_of(notes, note) > 1) expect(false, "'" + note + "' noted " + std::to_string(count_of(notes, note)) + " times");
  switch (run.info.status) {
    case WorkflowStatus::completed: expect(held == 1 && released == 0 && placed == 1, "completed"); break;
    case WorkflowStatus::compensated:
    case WorkflowStatus::failed: expect(held == released && placed == 0, std::string(to_string(run.info.status))); break;
    case WorkflowStatus::dead_lettered: break;
    default: expect(false, "not ended");
  }
  return problems;
}

Json decision(const std::string& verdict, const std::string& by) {
  return {{"decision", verdict}, {"by", by}, {"reason", "explored"}};
}

ExplorationReport explore_purchase_order(int amount_cents, std::vector<std::pair<std::string, Json>> signals) {
  ExplorationOptions options;
  options.definition = approval_chain::kWorkflow;
  options.input = {{"order_id", "po-1"}, {"amount_cents", amount_cents}};
  options.signals = std::move(signals);
  return explore_failure_points<PurchaseWorld>(
      options,
      [](Engine& engine, PurchaseWorld& world) {
        approval_chain::register_purchase_order_handlers(engine, world.ledger);
        ASSERT_TRUE(engine.register_workflow(approval_chain::purchase_order_definition()));
      },
      purchase_invariant);
}

}  // namespace

TEST(ExploreExamples, TheOrderSagaKeepsTheServicesConsistentAtEveryFailurePoint) {
  auto report = explore_order_saga({"o-1", "sku-1", 2, 1'500});
  EXPECT_TRUE(report.ok()) << report.describe();
  // 4 steps x 4 variants; then 4 variants in each compensation a step failing for good causes
  // (charge: reserve; ship: charge, reserve; confirm: ship, charge, reserve).
  EXPECT_EQ(report.points_explored, 16 + 4 * (1 + 2 + 3))
      << Violation{{}, {}, report.clean_run.info, report.clean_run.history}.describe();
  std::cout << "order saga: " << report.points_explored << " failure points in " << report.elapsed.count() << " ms\n";
}

TEST(ExploreExamples, AnOrderTheStockCannotCoverIsRolledBackAtEveryFailurePoint) {
  auto report = explore_order_saga({"o-big", "sku-1", 11, 9'900});  // reserve fails for good by itself
  EXPECT_TRUE(report.ok()) << report.describe();
  EXPECT_EQ(report.points_explored, 4);  // only reserve runs
}

TEST(ExploreExamples, APurchaseOrderBelowTheThresholdNeedsNoApproval) {
  auto report = explore_purchase_order(45'00, {});
  EXPECT_TRUE(report.ok()) << report.describe();
  // hold_budget, place_order x 4; then the hold's release when placing fails for good.
  EXPECT_EQ(report.points_explored, 2 * 4 + 4);
}

TEST(ExploreExamples, AnApprovedPurchaseOrderHoldsAtEveryFailurePoint) {
  auto report = explore_purchase_order(1'450'00, {{approval_chain::kApprovalSignal, decision("approve", "maria")}});
  EXPECT_TRUE(report.ok()) << report.describe();
  EXPECT_EQ(report.points_explored, 2 * 4 + 4);
}

TEST(ExploreExamples, ARejectedPurchaseOrderReleasesItsBudgetAtEveryFailurePoint) {
  auto report = explore_purchase_order(9'999'00, {{approval_chain::kApprovalSignal, decision("reject", "maria")}});
  EXPECT_TRUE(report.ok()) << report.describe();
  // The clean run compensates: hold_budget and its release x 4.
  EXPECT_EQ(report.points_explored, 2 * 4);
}

TEST(ExploreExamples, AnUnansweredPurchaseOrderEscalatesThenTimesOutAtEveryFailurePoint) {
  auto report = explore_purchase_order(300'00, {});  // nobody answers: 48 h, the director, 24 h
  EXPECT_TRUE(report.ok()) << report.describe();
  // hold_budget, tell_director, the release x 4; then the release when telling fails for good.
  EXPECT_EQ(report.points_explored, 3 * 4 + 4);
}

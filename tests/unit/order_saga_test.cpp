// The order saga example: its fake services, its consistency check, and the saga on the engine
// with a virtual clock (retry backoffs fire only when a test advances time).
#include "order_saga/consistency_check.hpp"
#include "order_saga/effect_ledger.hpp"
#include "order_saga/order_run.hpp"
#include "order_saga/order_services.hpp"
#include "order_saga/order_workflow.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/step_handler.hpp>
#include <actorflow/store.hpp>
#include <actorflow/virtual_clock.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace order_saga {
namespace {

using actorflow::Millis;
using actorflow::WorkflowInfo;
using actorflow::WorkflowStatus;

constexpr int kStockUnits = 10;
constexpr std::chrono::milliseconds kRealWaitMax{10'000};

Order test_order(const std::string& order_id = "order-1") { return Order{order_id, "sku-1", 2, 2'500}; }

std::map<std::string, int> test_stock() { return {{"sku-1", kStockUnits}}; }

// The key the engine gives a forward step of `order_id` (its workflow id).
std::string step_key(const std::string& order_id, std::string_view step) {
  return actorflow::StepContext(order_id, std::string(step), 1, false, {}).idempotency_key();
}

WorkflowInfo final_info(const Order& order, WorkflowStatus status) {
  WorkflowInfo info;
  info.id = order.order_id;
  info.definition = std::string(kOrderSagaWorkflow);
  info.status = status;
  info.data = to_json(order);
  return info;
}

std::string lines(const std::vector<std::string>& texts) {
  std::string joined;
  for (const auto& text : texts) joined += "\n  " + text;
  return joined;
}

// ---- the fake services alone ------------------------------------------------------------------

TEST(OrderSagaServicesTest, RepeatedCallWithTheSameKeyAppliesTheEffectOnce) {
  OrderServices services(test_stock());
  const auto first = services.payments.charge("order-1/charge_payment", test_order());
  const auto again = services.payments.charge("order-1/charge_payment", test_order());

  EXPECT_EQ(first, again);
  EXPECT_EQ(services.payments.accounts().at("order-1").charges, 1);
  EXPECT_EQ(services.payments.accounts().at("order-1").balance_cents, 2'500);
  const auto audit = services.payments.audit_of("order-1/charge_payment");
  EXPECT_EQ(audit.calls, 2);
  EXPECT_EQ(audit.applied, 1);
}

TEST(OrderSagaServicesTest, ForcedFailuresHitOnlyTheirOrderAndHaveNoEffect) {
  OrderServices services(test_stock());
  services.faults.force({Operation::inventory_reserve, "order-1", FailureKind::retryable, 1});
  services.faults.force({Operation::payment_charge, "", FailureKind::non_retryable, -1});

  EXPECT_THROW(services.inventory.reserve("k1", test_order("order-1")), ServiceUnavailable);
  EXPECT_EQ(services.inventory.stock_units().at("sku-1"), kStockUnits);
  services.inventory.reserve("k1", test_order("order-1"));  // only the first call was to fail
  services.inventory.reserve("k2", test_order("order-2"));
  EXPECT_EQ(services.inventory.stock_units().at("sku-1"), kStockUnits - 4);
  EXPECT_THROW(services.payments.charge("k3", test_order("order-2")), actorflow::NonRetryableError);
  EXPECT_EQ(services.effects_of("order-2").charges, 0);
  EXPECT_EQ(services.faults.failures_injected(), 2);
}

TEST(OrderSagaServicesTest, OutOfStockFailsForGood) {
  OrderServices services({{"sku-1", 1}});
  EXPECT_THROW(services.inventory.reserve("k1", test_order()), actorflow::NonRetryableError);
  EXPECT_EQ(services.inventory.stock_units().at("sku-1"), 1);
}

TEST(OrderSagaServicesTest, UndoOperationsRemoveWhatTheOrderHolds) {
  OrderServices services(test_stock());
  const Order order = test_order();
  services.inventory.reserve("r", order);
  services.payments.charge("c", order);
  services.shipments.create("s", order);
  services.shipments.cancel("s#compensate", order.order_id);
  services.payments.refund("c#compensate", order.order_id);
  services.inventory.release("r#compensate", order.order_id);

  const auto effects = services.effects_of(order.order_id);
  EXPECT_FALSE(effects.has_net_effect());
  EXPECT_EQ(effects.refunds, 1);
  EXPECT_EQ(services.inventory.stock_units().at("sku-1"), kStockUnits);
}

// ---- the services on a ledger (durable effects) -----------------------------------------------

class DurableServicesTest : public ::testing::Test {
 protected:
  // Services of one process on the shared store.
  std::unique_ptr<OrderServices> process() {
    return std::make_unique<OrderServices>(test_stock(), 1, std::make_shared<EffectLedger>(store_));
  }

  std::shared_ptr<actorflow::Store> store_ = actorflow::make_memory_store();
};

TEST_F(DurableServicesTest, EffectsOfAKilledProcessAreReplayedByTheNextOne) {
  const Order shipped = test_order("r1/order-1");
  const Order undone = test_order("r1/order-2");
  {
    auto first = process();
    first->inventory.reserve("r1/order-1/reserve", shipped);
    first->payments.charge("r1/order-1/charge", shipped);
    first->shipments.create("r1/order-1/ship", shipped);
    first->notifications.send_confirmation("r1/order-1/confirm", shipped);
    first->inventory.reserve("r1/order-2/reserve", undone);
    first->payments.charge("r1/order-2/charge", undone);
    first->payments.refund("r1/order-2/charge#compensate", undone.order_id);
    first->inventory.release("r1/order-2/reserve#compensate", undone.order_id);
  }  // the process dies: only the ledger is left

  auto second = process();
  EXPECT_EQ(second->replay("r1/"), 8);
  EXPECT_EQ(second->inventory.stock_units().at("sku-1"), kStockUnits - shipped.quantity_units);
  EXPECT_EQ(second->effects_of(shipped.order_id).balance_cents, shipped.amount_cents);
  EXPECT_FALSE(second->effects_of(undone.order_id).has_net_effect());
  EXPECT_EQ(second->effects_of(undone.order_id).refunds, 1);
  const auto report = check_consistency(*second, {final_info(shipped, WorkflowStatus::completed),
                                                  final_info(undone, WorkflowStatus::compensated)});
  EXPECT_TRUE(report.consistent()) << lines(report.violations);
}

TEST_F(DurableServicesTest, CallRepeatedAfterTheRestartReturnsTheRecordedResultAndAppliesNothing) {
  const Order order = test_order("r1/order-1");
  const auto charged = process()->payments.charge("r1/order-1/charge", order);

  auto second = process();
  second->replay("r1/");
  EXPECT_EQ(second->payments.charge("r1/order-1/charge", order), charged);
  EXPECT_EQ(second->payments.accounts().at(order.order_id).charges, 1);
  EXPECT_EQ(second->payments.accounts().at(order.order_id).balance_cents, order.amount_cents);
  const auto audit = second->payments.audit_of("r1/order-1/charge");
  EXPECT_EQ(audit.calls, 1);
  EXPECT_EQ(audit.applied, 1);
  EXPECT_EQ(store_->ledger_scan("effect/").size(), 1u);
}

TEST_F(DurableServicesTest, KeyRecordedByAnotherProcessWinsOverANewCall) {
  const Order order = test_order("r1/order-1");
  auto services = process();
  // Recorded after this process started (so not replayed): the first record wins.
  store_->ledger_put(EffectLedger::ledger_key("payments", "r1/order-1/charge"),
                     R"({"order_id":"r1/order-1","operation":"payment.charge",)"
                     R"("result":{"payment_id":"pay-9","amount":700}})");

  const auto result = services->payments.charge("r1/order-1/charge", order);
  EXPECT_EQ(result.at("payment_id"), "pay-9");
  EXPECT_EQ(services->payments.accounts().at(order.order_id).balance_cents, 700);
  EXPECT_EQ(services->payments.accounts().at(order.order_id).charges, 1);
}

TEST_F(DurableServicesTest, ReplayAppliesAnUndoAfterWhatItUndidWhateverTheOrder) {
  const Order order = test_order("r1/order-1");
  auto services = process();
  const Effect reserve{"r1/order-1/reserve", order.order_id, Operation::inventory_reserve,
                       {{"reservation_id", "res-1"}, {"sku", "sku-1"}, {"quantity", 2}}};
  const Effect release{"r1/order-1/reserve#compensate", order.order_id, Operation::inventory_release,
                       {{"released_quantity", 2}, {"reservation_ids", {"res-1"}}}};

  EXPECT_EQ(services->inventory.replay({release, reserve}), 2);
  EXPECT_EQ(services->inventory.stock_units().at("sku-1"), kStockUnits);
  EXPECT_FALSE(services->effects_of(order.order_id).has_net_effect());
  EXPECT_EQ(services->effects_of(order.order_id).reservations, 1);
}

TEST_F(DurableServicesTest, ReplayTakesOnlyTheRunsEffects) {
  process()->payments.charge("r2/order-1/charge", test_order("r2/order-1"));
  process()->payments.charge("r10/order-1/charge", test_order("r10/order-1"));
  auto services = process();
  EXPECT_EQ(services->replay("r1/"), 0);
  EXPECT_TRUE(services->payments.accounts().empty());
}

TEST_F(DurableServicesTest, CorruptLedgerEntryIsNamedOnReplay) {
  store_->ledger_put(EffectLedger::ledger_key("payments", "r1/order-1/charge"), "not json");
  auto services = process();
  try {
    services->replay("r1/");
    FAIL() << "a corrupt entry was replayed";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("effect/payments/r1/order-1/charge"), std::string::npos) << error.what();
  }
}

TEST_F(DurableServicesTest, RunResumesOnlyWithTheBatchItBeganWith) {
  const BatchShape shape{150, 1, 5, 100};
  EXPECT_TRUE(claim_run(*store_, "r1", shape).is_ok());
  EXPECT_TRUE(claim_run(*store_, "r1", shape).is_ok());
  BatchShape more = shape;
  more.orders = 151;
  const auto refused = claim_run(*store_, "r1", more);
  EXPECT_FALSE(refused.is_ok());
  EXPECT_NE(refused.message().find("\"orders\":150"), std::string::npos) << refused.message();
  EXPECT_TRUE(claim_run(*store_, "r2", more).is_ok());
}

TEST(OrderRunTest, RunIdsThatWouldMixRunsAreRefused) {
  EXPECT_FALSE(run_id_problem("r1"));
  EXPECT_TRUE(run_id_problem(""));
  EXPECT_TRUE(run_id_problem("r1/x"));
  EXPECT_TRUE(run_id_problem(std::string(kRunIdBytesMax + 1, 'r')));
  EXPECT_EQ(workflow_id_prefix("r1"), "r1/");
}

// ---- the consistency check alone --------------------------------------------------------------

TEST(OrderSagaConsistencyTest, CompletedOrderWithEveryEffectIsConsistent) {
  OrderServices services(test_stock());
  const Order order = test_order();
  services.inventory.reserve("r", order);
  services.payments.charge("c", order);
  services.shipments.create("s", order);
  services.notifications.send_confirmation("n", order);

  const auto report = check_consistency(services, {final_info(order, WorkflowStatus::completed)});
  EXPECT_TRUE(report.consistent()) << lines(report.violations);
}

TEST(OrderSagaConsistencyTest, ReportsACompletedOrderThatWasNeverCharged) {
  OrderServices services(test_stock());
  const Order order = test_order();
  services.inventory.reserve("r", order);
  services.shipments.create("s", order);
  services.notifications.send_confirmation("n", order);

  const auto report = check_consistency(services, {final_info(order, WorkflowStatus::completed)});
  ASSERT_EQ(report.violations.size(), 1u) << lines(report.violations);
  EXPECT_NE(report.violations[0].find("order-1"), std::string::npos);
}

TEST(OrderSagaConsistencyTest, ReportsStockLeftReservedByACompensatedOrder) {
  OrderServices services(test_stock());
  const Order order = test_order();
  services.inventory.reserve("r", order);

  const auto report = check_consistency(services, {final_info(order, WorkflowStatus::compensated)});
  ASSERT_EQ(report.violations.size(), 1u) << lines(report.violations);
  EXPECT_NE(report.violations[0].find("order-1"), std::string::npos);
  EXPECT_NE(report.violations[0].find("2 units reserved"), std::string::npos);
}

TEST(OrderSagaConsistencyTest, DeadLetteredOrderIsParkedNotAViolation) {
  OrderServices services(test_stock());
  const Order order = test_order();
  services.payments.charge("c", order);

  const auto report = check_consistency(services, {final_info(order, WorkflowStatus::dead_lettered)});
  EXPECT_TRUE(report.consistent()) << lines(report.violations);
  ASSERT_EQ(report.parked.size(), 1u);
  EXPECT_NE(report.parked[0].find("2500 cents charged"), std::string::npos);
}

TEST(OrderSagaConsistencyTest, ReportsEffectsOfAnOrderWithoutWorkflow) {
  OrderServices services(test_stock());
  services.payments.charge("c", test_order("order-2"));

  const auto report = check_consistency(services, {});
  ASSERT_EQ(report.violations.size(), 1u) << lines(report.violations);
  EXPECT_NE(report.violations[0].find("order-2"), std::string::npos);
}

TEST(OrderSagaConsistencyTest, ReportsAnUnfinishedOrder) {
  OrderServices services(test_stock());
  const auto report = check_consistency(services, {final_info(test_order(), WorkflowStatus::running)});
  EXPECT_FALSE(report.consistent());
}

// ---- the saga on the engine -------------------------------------------------------------------

class OrderSagaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    actorflow::EngineOptions options;
    options.clock = clock_;
    options.seed = 42;
    options.step_workers = 2;
    // 2 retries, 100 ms then 200 ms, no jitter.
    options.retry_default.retries_max = 2;
    options.retry_default.interval_initial = Millis(100);
    options.retry_default.multiplier = 2.0;
    options.retry_default.interval_max = Millis(1'000);
    options.retry_default.jitter = 0.0;
    engine_ = std::make_unique<actorflow::Engine>(options);
    register_order_handlers(*engine_, services_);
    const auto registered = engine_->register_workflow(order_saga_definition());
    ASSERT_TRUE(registered.is_ok()) << registered.message();
  }

  void start(const Order& order) {
    const auto started = engine_->start(std::string(kOrderSagaWorkflow), order.order_id, to_json(order));
    ASSERT_TRUE(started.status.is_ok()) << started.status.message();
    ASSERT_TRUE(started.created);
  }

  // For sagas that need no timer to end.
  WorkflowInfo wait_for_end(const std::string& workflow_id) {
    auto info = engine_->wait(workflow_id, kRealWaitMax);
    if (!info) {
      ADD_FAILURE() << "no workflow '" << workflow_id << "'";
      return {};
    }
    EXPECT_TRUE(actorflow::is_terminal(info->status)) << "still " << to_string(info->status);
    return *info;
  }

  // For sagas that retry: fires each backoff timer the saga waits for, until it ends.
  WorkflowInfo run_to_end(const std::string& workflow_id) {
    for (int round = 0; round < 200; ++round) {
      auto info = engine_->wait(workflow_id, Millis(20));
      if (!info) {
        ADD_FAILURE() << "no workflow '" << workflow_id << "'";
        return {};
      }
      if (actorflow::is_terminal(info->status)) return *info;
      clock_->advance_to_timer("backoff", std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "workflow '" << workflow_id << "' did not end";
    return engine_->query(workflow_id).value_or(WorkflowInfo{});
  }

  // Steps of the history events of `type`, in order.
  std::vector<std::string> steps_of(const std::string& workflow_id, const std::string& type) const {
    std::vector<std::string> steps;
    for (const auto& event : engine_->history(workflow_id))
      if (event.type == type) steps.push_back(event.step);
    return steps;
  }

  void expect_consistent(const WorkflowInfo& info) {
    const auto report = check_consistency(services_, {info});
    EXPECT_TRUE(report.consistent()) << lines(report.violations);
  }

  // Fails `operation` for good on its first call; the saga must undo `undone` in that order.
  void expect_compensated_when_failing(Operation operation, std::string_view failing_step,
                                       const std::vector<std::string>& undone) {
    const Order order = test_order();
    services_.faults.force({operation, order.order_id, FailureKind::non_retryable, -1});
    start(order);
    const auto info = wait_for_end(order.order_id);

    EXPECT_EQ(info.status, WorkflowStatus::compensated) << info.error;
    EXPECT_EQ(steps_of(order.order_id, "compensation_completed"), undone);
    EXPECT_EQ(steps_of(order.order_id, "step_failed"), std::vector<std::string>{std::string(failing_step)});
    EXPECT_EQ(services_.effects_of(order.order_id).cancellations, 0);
    EXPECT_EQ(services_.inventory.stock_units().at("sku-1"), kStockUnits);
    expect_consistent(info);
  }

  std::shared_ptr<actorflow::VirtualClock> clock_ = std::make_shared<actorflow::VirtualClock>();
  OrderServices services_{test_stock()};
  std::unique_ptr<actorflow::Engine> engine_;  // declared last: stops before the services go
};

TEST_F(OrderSagaTest, AllStepsSucceedCompletesConsistently) {
  const Order order = test_order();
  start(order);
  const auto info = wait_for_end(order.order_id);

  ASSERT_EQ(info.status, WorkflowStatus::completed) << info.error;
  EXPECT_TRUE(info.data.at("reserve_inventory").contains("reservation_id"));
  EXPECT_TRUE(info.data.at("charge_payment").contains("payment_id"));
  EXPECT_TRUE(info.data.at("create_shipment").contains("shipment_id"));
  EXPECT_TRUE(info.data.at("send_confirmation").contains("notification_id"));
  EXPECT_EQ(steps_of(order.order_id, "step_completed"),
            (std::vector<std::string>{"reserve_inventory", "charge_payment", "create_shipment", "send_confirmation"}));
  EXPECT_TRUE(steps_of(order.order_id, "compensation_started").empty());
  for (const FakeService* service : services_.all())
    for (const auto& [key, audit] : service->audit()) {
      EXPECT_EQ(audit.calls, 1) << service->name() << " " << key;
      EXPECT_EQ(audit.applied, 1) << service->name() << " " << key;
    }
  EXPECT_EQ(services_.inventory.stock_units().at("sku-1"), kStockUnits - order.quantity_units);
  expect_consistent(info);
}

TEST_F(OrderSagaTest, ReserveFailureLeavesNothingToUndo) {
  expect_compensated_when_failing(Operation::inventory_reserve, kReserveInventoryStep, {});
}

TEST_F(OrderSagaTest, ChargeFailureReleasesTheStock) {
  expect_compensated_when_failing(Operation::payment_charge, kChargePaymentStep, {"reserve_inventory"});
}

TEST_F(OrderSagaTest, ShipmentFailureRefundsThenReleases) {
  expect_compensated_when_failing(Operation::shipping_create, kCreateShipmentStep,
                                  {"charge_payment", "reserve_inventory"});
}

TEST_F(OrderSagaTest, ConfirmationFailureUndoesEveryStepNewestFirst) {
  expect_compensated_when_failing(Operation::notify_confirmation, kSendConfirmationStep,
                                  {"create_shipment", "charge_payment", "reserve_inventory"});
}

TEST_F(OrderSagaTest, ChargeThatAlwaysFailsIsRetriedThenCompensated) {
  const Order order = test_order();
  services_.faults.force({Operation::payment_charge, order.order_id, FailureKind::retryable, -1});
  start(order);
  const auto info = run_to_end(order.order_id);

  EXPECT_EQ(info.status, WorkflowStatus::compensated) << info.error;
  EXPECT_EQ(services_.payments.audit_of(step_key(order.order_id, kChargePaymentStep)).calls, 3);  // 1 + 2 retries
  EXPECT_EQ(steps_of(order.order_id, "compensation_completed"), std::vector<std::string>{"reserve_inventory"});
  expect_consistent(info);
}

TEST_F(OrderSagaTest, TransientChargeFailureIsRetriedAndChargedOnce) {
  const Order order = test_order();
  services_.faults.force({Operation::payment_charge, order.order_id, FailureKind::retryable, 1});
  start(order);

  const auto backoff = clock_->advance_to_timer("backoff", kRealWaitMax);
  ASSERT_TRUE(backoff.has_value()) << "the failed charge was not retried";
  EXPECT_NE(backoff->label.find(kChargePaymentStep), std::string::npos) << backoff->label;
  const auto info = wait_for_end(order.order_id);

  ASSERT_EQ(info.status, WorkflowStatus::completed) << info.error;
  const auto audit = services_.payments.audit_of(step_key(order.order_id, kChargePaymentStep));
  EXPECT_EQ(audit.calls, 2);
  EXPECT_EQ(audit.applied, 1);
  EXPECT_EQ(services_.effects_of(order.order_id).charges, 1);
  const auto history = engine_->history(order.order_id);
  const auto charged = std::find_if(history.begin(), history.end(), [](const actorflow::HistoryEvent& event) {
    return event.type == "step_completed" && event.step == kChargePaymentStep;
  });
  ASSERT_NE(charged, history.end());
  EXPECT_EQ(charged->attempt, 2);
  expect_consistent(info);
}

TEST_F(OrderSagaTest, RefundThatAlwaysFailsDeadLettersTheOrder) {
  const Order order = test_order();
  services_.faults.force({Operation::shipping_create, order.order_id, FailureKind::non_retryable, -1});
  services_.faults.force({Operation::payment_refund, order.order_id, FailureKind::retryable, -1});
  start(order);
  const auto info = run_to_end(order.order_id);

  ASSERT_EQ(info.status, WorkflowStatus::dead_lettered) << info.error;
  const auto dead_letters = engine_->dead_letters();
  ASSERT_EQ(dead_letters.size(), 1u);
  EXPECT_EQ(dead_letters[0].workflow_id, order.order_id);
  EXPECT_NE(dead_letters[0].reason.find(kChargePaymentStep), std::string::npos) << dead_letters[0].reason;
  EXPECT_EQ(services_.effects_of(order.order_id).balance_cents, order.amount_cents);  // never refunded

  const auto report = check_consistency(services_, {info});
  EXPECT_TRUE(report.consistent()) << lines(report.violations);
  EXPECT_EQ(report.parked.size(), 1u);
}

}  // namespace
}  // namespace order_saga

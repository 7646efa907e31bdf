// The real order_saga program, killed with SIGKILL mid-run and started again with the same
// arguments, finishes every order exactly once: the second process replays the effects the first
// recorded, resumes the workflows it left live, and its own consistency check (exit code 0)
// covers both processes. Then the test reads the store itself: every order is terminal with one
// terminal event, and per order the effects in the idempotency ledger agree with the outcome.
#include "child_process.hpp"
#include "redis_server.hpp"
#include "sqlite_observer.hpp"
#include "temp_dir.hpp"

#include <actorflow/actorflow.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr int kOrders = 150;
constexpr const char* kRunId = "r1";
// Of about 4 effects an order; the first process is killed once this many are recorded.
constexpr size_t kEffectsBeforeKill = 120;
constexpr auto kEffectsWaitMax = std::chrono::seconds(60);
constexpr auto kRunTimeMax = std::chrono::seconds(90);

pid_t spawn_order_saga(const std::string& store_spec) {
  // About 6 s a run: random failures open the payments breaker now and then (2 s each).
  return spawn_program(ORDER_SAGA_PATH, {"--store", store_spec, "--run-id", kRunId, "--orders",
                                         std::to_string(kOrders), "--failure-rate", "0.1"});
}

std::string order_workflow_id(int n) {
  char id[32];
  std::snprintf(id, sizeof id, "%s/order-%04d", kRunId, n);
  return id;
}

// What the ledger's effects of one order add up to.
struct OrderLedger {
  std::map<std::string, int> effects_by_operation;  // "payment.charge" -> effects recorded
  int64_t units_reserved = 0;                     // reserved minus released
  int64_t cents_charged = 0;                      // charged minus refunded
  int64_t shipments_active = 0;                   // created minus cancelled
  int count(const std::string& operation) const {
    auto it = effects_by_operation.find(operation);
    return it == effects_by_operation.end() ? 0 : it->second;
  }
};

// "effect/<service>/<workflow id>/<step>[#compensate]" -> the workflow id.
std::string workflow_of_effect(const std::string& key) {
  const size_t service_end = key.find('/', std::string("effect/").size());
  const size_t step_start = key.rfind('/');
  return key.substr(service_end + 1, step_start - service_end - 1);
}

std::map<std::string, OrderLedger> ledger_by_workflow(const Store& store) {
  std::map<std::string, OrderLedger> orders;
  for (const auto& [key, value] : store.ledger_scan("effect/")) {
    const Json effect = Json::parse(value);
    const std::string operation = effect.at("operation").get<std::string>();
    const Json& result = effect.at("result");
    OrderLedger& order = orders[workflow_of_effect(key)];
    ++order.effects_by_operation[operation];
    if (operation == "inventory.reserve") order.units_reserved += result.at("quantity").get<int64_t>();
    if (operation == "inventory.release") order.units_reserved -= result.at("released_quantity").get<int64_t>();
    if (operation == "payment.charge") order.cents_charged += result.at("amount").get<int64_t>();
    if (operation == "payment.refund") order.cents_charged -= result.at("refunded_amount").get<int64_t>();
    if (operation == "shipping.create") ++order.shipments_active;
    if (operation == "shipping.cancel") order.shipments_active -= result.at("cancelled_shipments").get<int64_t>();
  }
  return orders;
}

// "workflow_completed", "workflow_dead-lettered", ...: the event of the workflow's end.
bool is_terminal_event(const HistoryEvent& event) {
  for (auto status : {WorkflowStatus::completed, WorkflowStatus::failed, WorkflowStatus::compensated,
                      WorkflowStatus::dead_lettered})
    if (event.type == "workflow_" + std::string(to_string(status))) return true;
  return false;
}

void expect_effects_agree(const std::string& id, WorkflowStatus status, const OrderLedger& order) {
  // One key per step, so any operation twice is the same effect applied under two keys.
  for (const auto& [operation, count] : order.effects_by_operation) EXPECT_LE(count, 1) << id << ": " << operation;
  if (status == WorkflowStatus::completed) {
    for (const char* operation : {"inventory.reserve", "payment.charge", "shipping.create", "notify.confirmation"})
      EXPECT_EQ(order.count(operation), 1) << id << ": " << operation;
    for (const char* operation : {"inventory.release", "payment.refund", "shipping.cancel", "notify.cancellation"})
      EXPECT_EQ(order.count(operation), 0) << id << ": " << operation;
    EXPECT_GT(order.units_reserved, 0) << id;
    EXPECT_GT(order.cents_charged, 0) << id;
    EXPECT_EQ(order.shipments_active, 1) << id;
  } else {
    EXPECT_EQ(order.units_reserved, 0) << id << ": units still reserved";
    EXPECT_EQ(order.cents_charged, 0) << id << ": cents still charged";
    EXPECT_EQ(order.shipments_active, 0) << id << ": shipments still active";
    EXPECT_EQ(order.count("notify.confirmation"), 0) << id << ": confirmed";
  }
}

void kill_mid_run_then_resume(const std::string& store_spec, const std::function<std::shared_ptr<Store>()>& open) {
  auto observer = open();
  const pid_t first = spawn_order_saga(store_spec);
  // No event crosses the process boundary: poll the ledger, bounded.
  const auto deadline = std::chrono::steady_clock::now() + kEffectsWaitMax;
  while (observer->ledger_scan("effect/").size() < kEffectsBeforeKill && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(kill9(first)) << "the first run ended before it was killed";
  const size_t effects_at_kill = observer->ledger_scan("effect/").size();
  ASSERT_GE(effects_at_kill, kEffectsBeforeKill) << "too few effects within " << kEffectsWaitMax.count() << " s";
  const auto live_list = observer->live_workflows();
  const std::set<std::string> live_at_kill(live_list.begin(), live_list.end());
  ASSERT_FALSE(live_at_kill.empty()) << "nothing was in flight when the process died";

  ASSERT_EQ(wait_exit(spawn_order_saga(store_spec), kRunTimeMax), 0)
      << "the resumed run did not finish consistently (see its output above)";

  EngineOptions options;
  options.store = observer;
  Engine reader(options);
  EXPECT_TRUE(observer->live_workflows().empty());
  const auto ledger = ledger_by_workflow(*observer);
  EXPECT_GT(observer->ledger_scan("effect/").size(), effects_at_kill) << "the second process applied no effect";
  std::map<WorkflowStatus, int> outcomes;
  for (int n = 1; n <= kOrders; ++n) {
    const std::string id = order_workflow_id(n);
    auto info = reader.query(id);
    ASSERT_TRUE(info) << id;
    ++outcomes[info->status];
    EXPECT_TRUE(info->status == WorkflowStatus::completed || info->status == WorkflowStatus::compensated)
        << id << " is " << to_string(info->status) << ": " << info->error;
    int terminal_events = 0;
    int recoveries = 0;
    for (const auto& event : reader.history(id)) {
      terminal_events += is_terminal_event(event);
      recoveries += event.type == "workflow_recovered";
    }
    EXPECT_EQ(terminal_events, 1) << id;
    EXPECT_EQ(recoveries, static_cast<int>(live_at_kill.count(id))) << id << ": live at the kill, so recovered once";
    auto effects = ledger.find(id);
    expect_effects_agree(id, info->status, effects == ledger.end() ? OrderLedger{} : effects->second);
  }
  for (const auto& [id, effects] : ledger) EXPECT_TRUE(reader.query(id)) << "effects of '" << id << "', no such order";
  EXPECT_GT(outcomes[WorkflowStatus::completed], 0);
}

}  // namespace

TEST(OrderSagaCrash, SqliteProgramKilledMidRunAndRestartedFinishesEveryOrderOnce) {
  TempDir dir;
  const std::string path = dir.file("order_saga.db");
  kill_mid_run_then_resume("sqlite:" + path, [&] { return open_sqlite_observer(path); });
}

TEST(OrderSagaCrash, RedisProgramKilledMidRunAndRestartedFinishesEveryOrderOnce) {
  RedisServer redis;
  RedisOptions redis_options;
  redis_options.port = redis.port();
  redis_options.key_prefix = "saga:";
  kill_mid_run_then_resume("redis:127.0.0.1:" + std::to_string(redis.port()) + ":saga:",
                           [&] { return make_redis_store(redis_options); });
}

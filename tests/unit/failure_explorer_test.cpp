// The failure-point explorer finds planted bugs at exactly the points where they matter, and
// passes the fixed workflows.
#include <actorflow/testing/failure_explorer.hpp>

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

// A shop whose effects happen once per idempotency key (unless told to forget keys): units
// reserved, money charged, parcels shipped, confirmations sent.
class Shop {
 public:
  bool charge_is_idempotent = true;

  void register_handlers(Engine& engine) {
    engine.register_handler("reserve", effect("reserve", "reserved", +1));
    engine.register_handler("release", effect("release", "reserved", -1));
    engine.register_handler("charge", effect("charge", "charged", +1));
    engine.register_handler("refund", effect("refund", "charged", -1));
    engine.register_handler("ship", effect("ship", "shipped", +1));
    engine.register_handler("cancel_shipment", effect("cancel_shipment", "shipped", -1));
    engine.register_handler("confirm", effect("confirm", "confirmed", +1));
  }

  // Effects still held, by name ("reserved", "charged", ...), and effects applied more than once.
  std::map<std::string, int> held() const {
    std::lock_guard lock(mutex_);
    return held_;
  }
  std::vector<std::string> repeated() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [key, times] : applied_)
      if (times > 1) out.push_back(key + " applied " + std::to_string(times) + " times");
    return out;
  }

 private:
  SyncHandler effect(std::string handler, std::string what, int delta) {
    return [this, handler, what, delta](const StepContext& ctx) {
      std::lock_guard lock(mutex_);
      const bool keyed = handler != "charge" || charge_is_idempotent;
      const std::string key = keyed ? ctx.idempotency_key() : ctx.idempotency_key() + "@" + std::to_string(ctx.attempt());
      if (keyed && applied_.count(key) != 0) return Json{{"repeat", true}};
      ++applied_[keyed ? key : ctx.idempotency_key()];
      held_[what] += delta;
      return Json{{"done", handler}};
    };
  }

  mutable std::mutex mutex_;
  std::map<std::string, int> applied_;
  std::map<std::string, int> held_;
};

// reserve -> charge -> ship -> confirm; `forget_refund` plants the bug: the charge is never undone.
WorkflowDefinition shop_saga(bool forget_refund) {
  StepSpec charge("charge", "charge");
  if (!forget_refund) charge.compensate_with("refund");
  return WorkflowBuilder("shop")
      .step(StepSpec("reserve", "reserve").compensate_with("release"))
      .step(charge)
      .step(StepSpec("ship", "ship").compensate_with("cancel_shipment"))
      .step("confirm", "confirm")
      .build();
}

struct ShopWorld {
  Shop shop;
};

// Completed: everything held once. Compensated or failed: nothing held. Dead-lettered: parked for
// an operator, whatever it holds. Never an effect twice.
std::vector<std::string> shop_invariant(const ShopWorld& world, const RunResult& run) {
  std::vector<std::string> problems = world.shop.repeated();
  const auto held = world.shop.held();
  auto holds = [&](const std::string& what) { return held.count(what) ? held.at(what) : 0; };
  switch (run.info.status) {
    case WorkflowStatus::completed:
      for (const char* what : {"reserved", "charged", "shipped", "confirmed"})
        if (holds(what) != 1) problems.push_back(std::string(what) + " " + std::to_string(holds(what)) + " after completing");
      break;
    case WorkflowStatus::compensated:
    case WorkflowStatus::failed:
      for (const auto& [what, count] : held)
        if (count != 0) problems.push_back(what + " " + std::to_string(count) + " after " + std::string(to_string(run.info.status)));
      break;
    case WorkflowStatus::dead_lettered: break;
    default: problems.push_back("not ended");
  }
  return problems;
}

ExplorationOptions shop_options() {
  ExplorationOptions options;
  options.definition = "shop";
  RetryPolicy quick;
  quick.retries_max = 2;
  quick.interval_initial = Millis(100);
  quick.jitter = 0;
  options.engine.retry_default = quick;
  return options;
}

ExplorationReport explore_shop(bool forget_refund, ExplorationOptions options, bool charge_is_idempotent = true) {
  return explore_failure_points<ShopWorld>(
      options,
      [forget_refund, charge_is_idempotent](Engine& engine, ShopWorld& world) {
        world.shop.charge_is_idempotent = charge_is_idempotent;
        world.shop.register_handlers(engine);
        ASSERT_TRUE(engine.register_workflow(shop_saga(forget_refund)));
      },
      shop_invariant);
}

std::set<std::string> violating_points(const ExplorationReport& report) {
  std::set<std::string> points;
  for (const auto& violation : report.violations) points.insert(violation.point.describe());
  return points;
}

}  // namespace

TEST(FailureExplorer, FindsACompensationThatForgetsAStepExactlyWhereItMatters) {
  auto report = explore_shop(true, shop_options());
  // The charge stays whenever the saga compensates after charging: when ship or confirm fails
  // for good, and then whatever befalls the compensations that run, unless one fails for good
  // (the workflow is then parked for an operator, which the invariant allows).
  const std::set<std::string> expected{
      "ship attempt 1: fail for good",
      "ship attempt 1: fail for good, then compensation of reserve attempt 1: fail once",
      "ship attempt 1: fail for good, then compensation of reserve attempt 1: crash before commit",
      "ship attempt 1: fail for good, then compensation of reserve attempt 1: crash after commit",
      "confirm attempt 1: fail for good",
      "confirm attempt 1: fail for good, then compensation of ship attempt 1: fail once",
      "confirm attempt 1: fail for good, then compensation of ship attempt 1: crash before commit",
      "confirm attempt 1: fail for good, then compensation of ship attempt 1: crash after commit",
      "confirm attempt 1: fail for good, then compensation of reserve attempt 1: fail once",
      "confirm attempt 1: fail for good, then compensation of reserve attempt 1: crash before commit",
      "confirm attempt 1: fail for good, then compensation of reserve attempt 1: crash after commit",
  };
  EXPECT_EQ(violating_points(report), expected) << report.describe();
  EXPECT_EQ(report.violations.size(), expected.size());
  // 4 steps x 4 variants, then 4 variants in each compensation a failing step causes
  // (charge: reserve; ship: reserve; confirm: ship, reserve).
  EXPECT_EQ(report.points_explored, 16 + 4 * (1 + 1 + 2));
  for (const auto& violation : report.violations)
    EXPECT_EQ(violation.problems, (std::vector<std::string>{"charged 1 after compensated"})) << violation.describe();
  // The report reads as a timeline.
  const std::string text = report.describe();
  EXPECT_NE(text.find("11 break the invariant"), std::string::npos) << text;
  EXPECT_NE(text.find("chaos_injected ship attempt 1: fail (not retryable), chaos policy 1"), std::string::npos) << text;
  EXPECT_NE(text.find("compensation_completed reserve"), std::string::npos) << text;
}

TEST(FailureExplorer, PassesTheFixedSagaAtEveryPoint) {
  auto report = explore_shop(false, shop_options());
  EXPECT_TRUE(report.ok()) << report.describe();
  EXPECT_EQ(report.points_explored, 16 + 4 * (1 + 2 + 3));
  EXPECT_EQ(report.points.front().describe(), "reserve attempt 1: fail once");
}

TEST(FailureExplorer, FindsAHandlerThatIsNotIdempotentAtItsCrashBeforeCommit) {
  auto report = explore_shop(false, shop_options(), /*charge_is_idempotent=*/false);
  EXPECT_EQ(violating_points(report), (std::set<std::string>{"charge attempt 1: crash before commit"}))
      << report.describe();
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].problems,
            (std::vector<std::string>{"explored/charge applied 2 times", "charged 2 after completing"}));
  EXPECT_EQ(report.violations[0].info.restarts, 1);
}

TEST(FailureExplorer, ExploresTimeoutsWhenAsked) {
  auto options = shop_options();
  options.variants = {FaultVariant::hang, FaultVariant::drop_reply};
  auto report = explore_shop(false, options);
  EXPECT_TRUE(report.ok()) << report.describe();
  EXPECT_EQ(report.points_explored, 4 * 2)
      << Violation{{}, {}, report.clean_run.info, report.clean_run.history}.describe();
  for (const auto& point : report.points) EXPECT_EQ(point.faults.size(), 1u);
}

TEST(FailureExplorer, ExploresProcessCrashesWhenAsked) {
  auto options = shop_options();
  options.variants = {FaultVariant::crash_process};
  auto report = explore_shop(false, options);
  EXPECT_TRUE(report.ok()) << report.describe();
  EXPECT_EQ(report.points_explored, 4);
  EXPECT_EQ(report.points.front().describe(), "reserve attempt 1: crash the process");
}

// The process dies after the charge took effect and before its result was stored: the engine
// that recovers counts the attempt as a process death and runs it again, which a handler that
// ignores its idempotency key applies twice.
TEST(FailureExplorer, FindsAHandlerThatIsNotIdempotentAtAProcessCrash) {
  auto options = shop_options();
  options.variants = {FaultVariant::crash_process};
  auto report = explore_shop(false, options, /*charge_is_idempotent=*/false);
  EXPECT_EQ(violating_points(report), (std::set<std::string>{"charge attempt 1: crash the process"}))
      << report.describe();
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].problems,
            (std::vector<std::string>{"explored/charge applied 2 times", "charged 2 after completing"}));
  bool counted = false;
  for (const auto& event : report.violations[0].history)
    counted |= event.type == "step_retrying" && event.step == "charge" &&
               event.detail.find("the process died while this step ran (1 of 2") != std::string::npos;
  EXPECT_TRUE(counted) << report.violations[0].describe();
}

TEST(FailureExplorer, ReportsRunsThatDoNotEndAndInvariantsThatThrow) {
  ExplorationOptions options;
  options.definition = "waits";
  options.variants = {FaultVariant::fail_once};
  auto report = explore_failure_points<ShopWorld>(
      options,
      [](Engine& engine, ShopWorld& world) {
        world.shop.register_handlers(engine);
        ASSERT_TRUE(engine.register_workflow(
            WorkflowBuilder("waits").step("reserve", "reserve").wait_for(WaitSpec("go", "go")).build()));
      },
      [](const ShopWorld&, const RunResult&) -> std::vector<std::string> { throw std::logic_error("invariant bug"); });
  ASSERT_EQ(report.violations.size(), 2u);  // the clean run, then reserve failing once
  EXPECT_EQ(report.violations[0].point.describe(), "no fault (the clean run)");
  EXPECT_EQ(report.violations[0].problems,
            (std::vector<std::string>{
                "stuck running: nothing runs and no timer is due (does it wait for a signal the scenario does not send?)",
                "the invariant threw: invariant bug"}));
  EXPECT_FALSE(report.ok());
}

TEST(FailureExplorer, StopsAtPointsMaxAndSaysSo) {
  auto options = shop_options();
  options.points_max = 5;
  auto report = explore_shop(false, options);
  EXPECT_EQ(report.points_explored, 5);
  EXPECT_EQ(report.points_skipped, 16 - 5);
  EXPECT_FALSE(report.ok());
  EXPECT_NE(report.describe().find("11 more not explored (points_max)"), std::string::npos) << report.describe();
}

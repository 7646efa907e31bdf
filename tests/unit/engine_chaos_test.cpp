// Chaos policies in a running engine: each kind of fault, what it does to the step path, and a
// seed that replays which attempts were faulted.
#include "test_engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

// Counts handler calls by idempotency key.
class Calls {
 public:
  SyncHandler handler(std::string name) {
    return [this, name](const StepContext& ctx) {
      std::lock_guard lock(mutex_);
      ++by_key_[ctx.idempotency_key()];
      return Json{{"by", name}, {"attempt", ctx.attempt()}};
    };
  }
  int of(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = by_key_.find(key);
    return it == by_key_.end() ? 0 : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> by_key_;
};

EngineOptions with_chaos(std::vector<ChaosPolicy> policies, uint64_t seed = 1) {
  EngineOptions options;
  options.chaos = ChaosConfig{seed, std::move(policies)};
  options.retry_default = quick_retry(3);
  options.step_timeout_default = Millis(5'000);
  options.passivate_after = std::nullopt;
  return options;
}

// reserve -> charge (undone by refund) -> ship
WorkflowDefinition shop() {
  return WorkflowBuilder("shop")
      .step(StepSpec("reserve", "reserve").compensate_with("release"))
      .step(StepSpec("charge", "charge").compensate_with("refund"))
      .step("ship", "ship")
      .build();
}

void register_shop(TestEngine& t, Calls& calls) {
  for (const char* name : {"reserve", "release", "charge", "refund", "ship"})
    t.engine->register_handler(name, calls.handler(name));
  EXPECT_TRUE(t.engine->register_workflow(shop()));
}

// The shop on an engine with `policies`, workflow wf-1 started.
struct ShopRun {
  explicit ShopRun(std::vector<ChaosPolicy> policies) : t(with_chaos(std::move(policies))) {
    register_shop(t, calls);
    t.engine->start("shop", "wf-1");
  }
  TestEngine t;
  Calls calls;
};

// The chaos_injected details of the history, by "<step> <attempt>".
std::map<std::string, std::string> injected(const TestEngine& t, const std::string& id) {
  std::map<std::string, std::string> faults;
  for (const auto& event : t.engine->history(id))
    if (event.type == "chaos_injected") faults[event.step + " " + std::to_string(event.attempt)] = event.detail;
  return faults;
}

// Waits until nothing runs, then fires the timer whose label holds `label_part`.
void fire_when_quiet(TestEngine& t, const std::string& label_part) {
  ASSERT_TRUE(t.engine->await_quiet());
  ASSERT_TRUE(t.clock->advance_to_timer(label_part)) << "no timer " << label_part;
}

}  // namespace

TEST(Chaos, AFailRefusesTheCallBeforeTheHandlerRunsAndTheRetryPolicyTakesOver) {
  ShopRun run({ChaosPolicy(ChaosKind::fail).at_step("charge").at_attempt(1)});
  auto& t = run.t;
  auto& calls = run.calls;
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(calls.of("wf-1/charge"), 1);  // only the retry reached the handler
  EXPECT_EQ(info.data["charge"]["attempt"], 2);
  EXPECT_EQ(injected(t, "wf-1"), (std::map<std::string, std::string>{{"charge 1", "fail, chaos policy 1"}}));
  auto retrying = t.engine->history("wf-1");
  auto it = std::find_if(retrying.begin(), retrying.end(), [](const HistoryEvent& e) { return e.type == "step_retrying"; });
  ASSERT_NE(it, retrying.end());
  EXPECT_NE(it->detail.find("chaos: injected failure (chaos policy 1)"), std::string::npos) << it->detail;
  EXPECT_EQ(t.engine->metrics().chaos_injected.of(ChaosKind::fail), 1u);
}

TEST(Chaos, AFailThatIsNotRetryableMakesTheSagaCompensate) {
  ShopRun run({ChaosPolicy(ChaosKind::fail).at_step("ship").not_retryable()});
  auto& t = run.t;
  auto& calls = run.calls;
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(calls.of("wf-1/ship"), 0);
  EXPECT_EQ(calls.of("wf-1/charge#compensate"), 1);
  EXPECT_EQ(calls.of("wf-1/reserve#compensate"), 1);
  EXPECT_TRUE(t.steps_of("wf-1", "step_retrying").empty());
}

TEST(Chaos, ADelayedReplyArrivesWhenItsTimerFires) {
  ShopRun run({ChaosPolicy(ChaosKind::delay).at_step("charge").delayed_by(Millis(1'200))});
  auto& t = run.t;
  auto& calls = run.calls;
  fire_when_quiet(t, "wf-1/charge chaos-delay");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(calls.of("wf-1/charge"), 1);
  for (const auto& event : t.engine->history("wf-1")) {
    if (event.type == "step_completed" && event.step == "charge") {
      EXPECT_EQ(event.duration_ms, 1'200);
    }
  }
  EXPECT_EQ(t.engine->metrics().chaos_injected.of(ChaosKind::delay), 1u);
}

TEST(Chaos, AReplyDelayedPastTheTimeoutIsIgnoredAndTheStepRunsAgain) {
  ShopRun run({ChaosPolicy(ChaosKind::delay).at_step("charge").at_attempt(1).delayed_by(Millis(9'000))});
  auto& t = run.t;
  auto& calls = run.calls;
  fire_when_quiet(t, "wf-1/charge timeout");
  fire_when_quiet(t, "wf-1/charge backoff");
  fire_when_quiet(t, "wf-1/charge chaos-delay");  // the first attempt's late reply: ignored
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["charge"]["attempt"], 2);
  EXPECT_EQ(calls.of("wf-1/charge"), 2);  // at least once: the late attempt had taken effect too
  EXPECT_EQ(t.steps_of("wf-1", "step_timed_out"), (std::vector<std::string>{"charge"}));
}

TEST(Chaos, AHangCallsNothingAndTheStepTimesOut) {
  ShopRun run({ChaosPolicy(ChaosKind::hang).at_handler("charge").at_attempt(1)});
  auto& t = run.t;
  auto& calls = run.calls;
  fire_when_quiet(t, "wf-1/charge timeout");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(calls.of("wf-1/charge"), 1);  // only the retry
  EXPECT_EQ(t.steps_of("wf-1", "step_timed_out"), (std::vector<std::string>{"charge"}));
  EXPECT_EQ(t.engine->metrics().chaos_injected.of(ChaosKind::hang), 1u);
}

TEST(Chaos, ADroppedReplyLeavesTheEffectAndTheStepRunsAgainWithTheSameKey) {
  ShopRun run({ChaosPolicy(ChaosKind::drop_reply).at_step("charge").at_attempt(1)});
  auto& t = run.t;
  auto& calls = run.calls;
  fire_when_quiet(t, "wf-1/charge timeout");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(calls.of("wf-1/charge"), 2);
  EXPECT_EQ(t.engine->metrics().chaos_injected.of(ChaosKind::drop_reply), 1u);
}

TEST(Chaos, ACrashBeforeTheCommitLosesTheResultSoTheStepRunsAgain) {
  ShopRun run({ChaosPolicy(ChaosKind::crash).at_step("charge").at_attempt(1)});
  auto& t = run.t;
  auto& calls = run.calls;
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.restarts, 1);
  EXPECT_EQ(calls.of("wf-1/charge"), 2);  // the first result died with the instance
  EXPECT_EQ(calls.of("wf-1/ship"), 1);
  EXPECT_EQ(t.steps_of("wf-1", "step_redispatched"), (std::vector<std::string>{"charge"}));
  EXPECT_EQ(t.engine->metrics().chaos_injected.of(ChaosKind::crash), 1u);
  EXPECT_EQ(t.engine->metrics().instance_restarts, 1u);
}

TEST(Chaos, ACrashAfterTheCommitKeepsTheResultAndLosesOnlyWhatItCaused) {
  ShopRun run({ChaosPolicy(ChaosKind::crash).at_step("charge").crashing(CrashPoint::after_commit)});
  auto& t = run.t;
  auto& calls = run.calls;
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.restarts, 1);
  EXPECT_EQ(calls.of("wf-1/charge"), 1);  // its result was durable
  // The next step's dispatch was committed but its job died with the instance: it is
  // dispatched again (attempt 2) and runs once.
  EXPECT_EQ(t.steps_of("wf-1", "step_redispatched"), (std::vector<std::string>{"ship"}));
  EXPECT_EQ(calls.of("wf-1/ship"), 1);
  EXPECT_EQ(info.data["ship"]["attempt"], 2);
}

TEST(Chaos, CompensationsCanBeTargetedAlone) {
  ShopRun run({ChaosPolicy(ChaosKind::fail).at_step("ship").not_retryable(),
               ChaosPolicy(ChaosKind::fail).at_step("charge").in_phase(ChaosPhase::compensation).at_attempt(1)});
  auto& t = run.t;
  auto& calls = run.calls;
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(calls.of("wf-1/charge"), 1);  // the step itself was not faulted
  EXPECT_EQ(calls.of("wf-1/charge#compensate"), 1);  // the retried compensation
  EXPECT_EQ(injected(t, "wf-1"), (std::map<std::string, std::string>{
                                     {"ship 1", "fail (not retryable), chaos policy 1"},
                                     {"charge 1", "compensation: fail, chaos policy 2"}}));
}

TEST(Chaos, TheSeedReplaysWhichAttemptsAreFaulted) {
  auto run = [](uint64_t seed) {
    TestEngine t(with_chaos({ChaosPolicy(ChaosKind::fail).with_probability(0.4)}, seed));
    Calls calls;
    register_shop(t, calls);
    std::set<std::string> faulted;
    for (int i = 0; i < 20; ++i) t.engine->start("shop", "wf-" + std::to_string(i));
    for (int i = 0; i < 20; ++i) {
      const std::string id = "wf-" + std::to_string(i);
      t.run_to_end(id);
      for (const auto& [attempt, detail] : injected(t, id)) faulted.insert(id + " " + attempt);
    }
    return faulted;
  };
  const auto first = run(99);
  EXPECT_GT(first.size(), 10u);
  EXPECT_EQ(run(99), first);
  EXPECT_NE(run(100), first);
}

TEST(Chaos, AnUnusableConfigIsRefusedWithEveryProblem) {
  EXPECT_THROW(TestEngine(with_chaos({ChaosPolicy(ChaosKind::delay)})), std::invalid_argument);
  TestEngine t;
  auto refused = t.engine->set_chaos(ChaosConfig{1, {ChaosPolicy(ChaosKind::fail).with_probability(-1)}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.message(), "chaos policy 1 (fail): probability must be in [0, 1], got -1.000000");
  EXPECT_FALSE(t.engine->chaos().enabled());
  ASSERT_TRUE(t.engine->set_chaos(ChaosConfig{3, {ChaosPolicy(ChaosKind::hang)}}));
  EXPECT_EQ(t.engine->chaos().seed, 3u);
  ASSERT_TRUE(t.engine->set_chaos(ChaosConfig{}));
  EXPECT_FALSE(t.engine->chaos().enabled());
}

TEST(Chaos, PoliciesSetWhileRunningApplyToTheNextDispatch) {
  ShopRun run({});
  auto& t = run.t;
  EXPECT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
  ASSERT_TRUE(t.engine->set_chaos(ChaosConfig{1, {ChaosPolicy(ChaosKind::fail).at_step("reserve").not_retryable()}}));
  t.engine->start("shop", "wf-2");
  EXPECT_EQ(t.run_to_end("wf-2").status, WorkflowStatus::compensated);
  EXPECT_TRUE(injected(t, "wf-1").empty());
}

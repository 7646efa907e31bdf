// A crashed instance is respawned from its last snapshot; a crash loop is dead-lettered.
#include "async_probe.hpp"
#include "test_engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

using namespace actorflow;
using namespace actorflow::testing;

TEST(Supervision, ACrashedInstanceIsRespawnedAndFinishesTheStepItHadInFlight) {
  TestEngine t;
  AsyncProbe probe;
  std::atomic<int> after{0};
  t.engine->register_async_handler("pay", probe.handler());
  t.engine->register_handler("ship", [&](const StepContext&) {
    ++after;
    return Json::object();
  });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("charge", "pay").step("deliver", "ship").build()));
  t.engine->start("w", "wf-1");
  auto before_crash = probe.await_call(1);

  t.engine->crash_instance("wf-1");
  // The respawned instance re-dispatches the step it had in flight, with the same key.
  auto redispatched = probe.await_call(2);
  EXPECT_EQ(redispatched.idempotency_key, before_crash.idempotency_key);
  EXPECT_EQ(redispatched.attempt, 2);
  before_crash.complete(StepOutcome::success({{"from", "dead incarnation"}}));  // goes nowhere
  redispatched.complete(StepOutcome::success({{"from", "respawned"}}));

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.restarts, 1);
  EXPECT_EQ(info.data["charge"]["from"], "respawned");
  EXPECT_EQ(after.load(), 1);
  auto types = t.event_types("wf-1");
  EXPECT_NE(std::find(types.begin(), types.end(), "instance_restarted"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "step_redispatched"), types.end());
}

TEST(Supervision, ABugInsideTheInstanceIsSurvivedByRespawning) {
  TestEngine t;
  std::atomic<int> evaluations{0};
  std::vector<std::string> keys;
  std::mutex keys_mutex;
  t.engine->register_handler("x", [&](const StepContext& ctx) {
    std::lock_guard lock(keys_mutex);
    keys.push_back(ctx.idempotency_key());
    return Json::object();
  });
  auto def = WorkflowBuilder("w")
                 .step("first", "x")
                 .choice("check", {when("flaky condition",
                                        [&](const Json&) {
                                          if (++evaluations == 1) throw std::logic_error("bug in condition");
                                          return true;
                                        },
                                        Sequence().step("second", "x"))})
                 .build();
  ASSERT_TRUE(t.engine->register_workflow(def));
  t.engine->start("w", "wf-1");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.restarts, 1);
  EXPECT_EQ(evaluations.load(), 2);
  // The bug hit while the first step's result was being applied, before it was committed: the
  // respawned instance runs that step again with the same key (at least once), then goes on.
  EXPECT_EQ(keys, (std::vector<std::string>{"wf-1/first", "wf-1/first", "wf-1/check/second"}));
}

TEST(Supervision, AnAsyncHandlerThatThrowsWhileStartingFailsItsStepLikeASyncOne) {
  TestEngine t;
  std::atomic<int> throws{0};
  t.engine->register_async_handler("buggy", [&](const StepContext&, CompleteFn complete) {
    if (++throws <= 2) throw std::runtime_error("bug in async handler");
    complete(StepOutcome::success());
  });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "buggy").build()));
  t.engine->start("w", "wf-1");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.restarts, 0) << "async handlers start on step workers, not inside the instance";
  auto types = t.event_types("wf-1");
  EXPECT_EQ(std::count(types.begin(), types.end(), "step_retrying"), 2);
}

TEST(Supervision, RestartIntensityStopsACrashLoop) {
  EngineOptions options;
  options.instance_restarts_max = 3;
  options.instance_restart_period = Millis(60'000);
  TestEngine t(options);
  std::atomic<int> evaluations{0};
  t.engine->register_handler("x", [](const StepContext&) { return Json::object(); });
  auto def = WorkflowBuilder("w")
                 .choice("check", {when("always throws",
                                        [&](const Json&) -> bool {
                                          ++evaluations;
                                          throw std::logic_error("bug in condition");
                                        },
                                        Sequence().step("s", "x"))})
                 .build();
  ASSERT_TRUE(t.engine->register_workflow(def));
  t.engine->start("w", "wf-1");
  auto info = t.engine->wait("wf-1", Millis(10'000));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::dead_lettered);
  EXPECT_EQ(evaluations.load(), 4) << "first run + 3 restarts";
  EXPECT_NE(info->error.find("crashed 4 times"), std::string::npos) << info->error;
  auto letters = t.engine->dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].workflow_id, "wf-1");
}

TEST(Supervision, OneCrashingWorkflowDoesNotDisturbOthers) {
  TestEngine t;
  AsyncProbe probe;
  t.engine->register_async_handler("a", probe.handler());
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "a").build()));
  t.engine->start("w", "one");
  t.engine->start("w", "two");
  auto first = probe.await_call(1);
  auto second = probe.await_call(2);
  auto& victim = first.workflow_id == "one" ? first : second;
  auto& bystander = first.workflow_id == "one" ? second : first;
  t.engine->crash_instance("one");
  auto again = probe.await_call(3);
  EXPECT_EQ(again.workflow_id, "one");
  victim.complete(StepOutcome::success());
  again.complete(StepOutcome::success());
  bystander.complete(StepOutcome::success());
  EXPECT_EQ(t.run_to_end("one").restarts, 1);
  auto two = t.run_to_end("two");
  EXPECT_EQ(two.status, WorkflowStatus::completed);
  EXPECT_EQ(two.restarts, 0);
}

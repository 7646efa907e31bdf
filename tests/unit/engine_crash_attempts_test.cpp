// A step in flight when its process dies (here: the engine is destroyed without a drain, and a
// new engine recovers on the same store) counts as a failed attempt whose outcome is unknown;
// at crash_attempts_max deaths in a row it is not run again. Drains and in-process instance
// restarts are not process deaths.
#include "async_probe.hpp"
#include "test_engine.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/workflow_definition.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr const char* kDied = "the process died while this step ran";

EngineOptions on_store(std::shared_ptr<Store> store, int crash_attempts_max = 2) {
  EngineOptions options;
  options.store = std::move(store);
  options.passivate_after = std::nullopt;
  options.crash_attempts_max = crash_attempts_max;
  return options;
}

// "first" (undone by "undo_first"), then "poison" (an async probe: it never answers unless the
// test says so; undone by "undo_poison").
struct Saga {
  AsyncProbe poison;
  std::atomic<int> undone_first{0}, undone_poison{0};

  void define(Engine& engine, ErrorStrategy strategy = ErrorStrategy::retry_then_compensate) {
    engine.register_handler("first", [](const StepContext&) { return Json{{"ok", true}}; });
    engine.register_handler("undo_first", [this](const StepContext&) { return ++undone_first, Json::object(); });
    engine.register_async_handler("poison", poison.handler());
    engine.register_handler("undo_poison", [this](const StepContext&) { return ++undone_poison, Json::object(); });
    ASSERT_TRUE(engine.register_workflow(
        WorkflowBuilder("saga")
            .step(StepSpec("first", "first").compensate_with("undo_first"))
            .step(StepSpec("poison", "poison").compensate_with("undo_poison").retry_with(quick_retry(3)).on_error(strategy))
            .build()));
  }
};

const HistoryEvent* find_event(const std::vector<HistoryEvent>& history, const std::string& type,
                               const std::string& step) {
  for (const auto& e : history)
    if (e.type == type && e.step == step) return &e;
  return nullptr;
}

// Recovers `t` and fires the backoff the crash put the step in, so that it is dispatched again.
void recover_and_retry(TestEngine& t, const std::string& id) {
  ASSERT_EQ(t.engine->recover(), 1);
  auto backoff = t.clock->await_timer(id + "/poison backoff");
  ASSERT_TRUE(backoff) << "the crashed attempt was not retried after a backoff";
  t.clock->advance(Millis(backoff->due_ms - t.clock->now_ms()));
}

}  // namespace

TEST(CrashAttempts, AStepInFlightWhenTheProcessDiedIsAFailedAttemptAndIsRetried) {
  auto store = make_memory_store();
  Saga saga;
  {
    TestEngine first(on_store(store));
    saga.define(*first.engine);
    first.engine->start("saga", "wf-1");
    saga.poison.await_call(1);
  }  // the process dies with the step running
  TestEngine second(on_store(store));
  saga.define(*second.engine);
  recover_and_retry(second, "wf-1");
  const auto call = saga.poison.await_call(2);
  EXPECT_EQ(call.attempt, 2);
  EXPECT_EQ(call.idempotency_key, "wf-1/poison");
  call.complete(StepOutcome::success(Json{{"done", true}}));
  EXPECT_EQ(second.run_to_end("wf-1").status, WorkflowStatus::completed);

  const auto history = second.engine->history("wf-1");
  const HistoryEvent* retrying = find_event(history, "step_retrying", "poison");
  ASSERT_TRUE(retrying);
  EXPECT_EQ(retrying->attempt, 1);
  EXPECT_NE(retrying->detail.find(std::string(kDied) + " (1 of 2"), std::string::npos) << retrying->detail;
  EXPECT_FALSE(find_event(history, "step_redispatched", "poison"));
  EXPECT_EQ(second.engine->metrics().crash_suspected_steps, 1u);
  const auto recoveries = second.engine->crash_recoveries();
  ASSERT_EQ(recoveries.size(), 1u);
  EXPECT_EQ(recoveries[0].text(), "recovered after a crash while step poison of workflow wf-1 ran (1 of 2)");
}

TEST(CrashAttempts, AStepInFlightAtCrashAttemptsMaxDeathsInARowIsNotRunAgainAndIsCompensated) {
  auto store = make_memory_store();
  Saga saga;
  {
    TestEngine first(on_store(store));
    saga.define(*first.engine);
    first.engine->start("saga", "wf-1");
    saga.poison.await_call(1);
  }
  {
    TestEngine second(on_store(store));
    saga.define(*second.engine);
    recover_and_retry(second, "wf-1");
    saga.poison.await_call(2);
  }  // it dies again with the retried attempt running
  TestEngine third(on_store(store));
  saga.define(*third.engine);
  ASSERT_EQ(third.engine->recover(), 1);
  const WorkflowInfo info = third.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_NE(info.error.find("step 'poison' failed after 2 attempts: " + std::string(kDied) + ", 2 times in a row"),
            std::string::npos) << info.error;
  EXPECT_NE(info.error.find("crash_attempts_max = 2"), std::string::npos) << info.error;
  EXPECT_EQ(saga.poison.calls(), 2u) << "not run a third time";
  // Its attempts may have taken effect: it is undone too, then the step before it.
  EXPECT_EQ(saga.undone_poison.load(), 1);
  EXPECT_EQ(saga.undone_first.load(), 1);
  const HistoryEvent* failed = find_event(third.engine->history("wf-1"), "step_failed", "poison");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->attempt, 2);
  EXPECT_EQ(third.engine->crash_recoveries().at(0).crashes, 2);
}

TEST(CrashAttempts, TheDeadLetterReasonSaysWhichStepAndHowManyTimes) {
  auto store = make_memory_store();
  Saga saga;
  {
    TestEngine first(on_store(store, 1));
    saga.define(*first.engine, ErrorStrategy::dead_letter);
    first.engine->start("saga", "wf-1");
    saga.poison.await_call(1);
  }
  TestEngine second(on_store(store, 1));
  saga.define(*second.engine, ErrorStrategy::dead_letter);
  ASSERT_EQ(second.engine->recover(), 1);
  EXPECT_EQ(second.run_to_end("wf-1").status, WorkflowStatus::dead_lettered);
  const auto letters = second.engine->dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_NE(letters[0].reason.find("step 'poison'"), std::string::npos) << letters[0].reason;
  EXPECT_NE(letters[0].reason.find(std::string(kDied) + ", 1 time in a row (crash_attempts_max = 1)"),
            std::string::npos) << letters[0].reason;
  EXPECT_EQ(saga.poison.calls(), 1u);
}

TEST(CrashAttempts, AnAnswerEndsTheDeathsInARow) {
  auto store = make_memory_store();
  Saga saga;
  {
    TestEngine first(on_store(store));
    saga.define(*first.engine);
    first.engine->start("saga", "wf-1");
    saga.poison.await_call(1);
  }
  {
    TestEngine second(on_store(store));
    saga.define(*second.engine);
    recover_and_retry(second, "wf-1");
    saga.poison.await_call(2).complete(StepOutcome::failure("busy", true));  // an answer: the process lived
    auto backoff = second.clock->await_timer("wf-1/poison backoff");
    ASSERT_TRUE(backoff);
    second.clock->advance(Millis(backoff->due_ms - second.clock->now_ms()));
    saga.poison.await_call(3);
  }  // a second death, but not in a row
  TestEngine third(on_store(store));
  saga.define(*third.engine);
  recover_and_retry(third, "wf-1");
  saga.poison.await_call(4).complete(StepOutcome::success());
  EXPECT_EQ(third.run_to_end("wf-1").status, WorkflowStatus::completed);
  EXPECT_EQ(third.engine->crash_recoveries().at(0).crashes, 1);
}

TEST(CrashAttempts, ACompensationInFlightAtCrashAttemptsMaxDeathsDeadLettersTheWorkflow) {
  auto store = make_memory_store();
  AsyncProbe undo;
  auto define = [&](Engine& engine) {
    engine.register_handler("book", [](const StepContext&) { return Json::object(); });
    engine.register_async_handler("unbook", undo.handler());
    engine.register_handler("fail", [](const StepContext&) -> Json { throw NonRetryableError("no"); });
    ASSERT_TRUE(engine.register_workflow(WorkflowBuilder("w")
                                             .step(StepSpec("book", "book").compensate_with("unbook").retry_with(quick_retry(3)))
                                             .step("fail", "fail")
                                             .build()));
  };
  {
    TestEngine first(on_store(store, 1));
    define(*first.engine);
    first.engine->start("w", "wf-1");
    undo.await_call(1);
  }  // the process dies while the compensation runs
  TestEngine second(on_store(store, 1));
  define(*second.engine);
  ASSERT_EQ(second.engine->recover(), 1);
  const WorkflowInfo info = second.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::dead_lettered);
  EXPECT_NE(info.error.find("compensation of step 'book' failed after 1 attempts: " + std::string(kDied)),
            std::string::npos) << info.error;
  EXPECT_EQ(undo.calls(), 1u);
  EXPECT_EQ(second.engine->crash_recoveries().at(0).text(),
            "recovered after a crash while the compensation of step book of workflow wf-1 ran (1 of 1)");
}

TEST(CrashAttempts, AStepLeftInFlightByADrainIsRunAgainWithoutCountingACrash) {
  auto store = make_memory_store();
  Saga saga;
  {
    TestEngine first(on_store(store, 1));
    saga.define(*first.engine);
    first.engine->start("saga", "wf-1");
    saga.poison.await_call(1);
    EXPECT_EQ(first.engine->drain(Millis(50)).steps_abandoned, 1);
  }  // the process ends in order
  TestEngine second(on_store(store, 1));
  saga.define(*second.engine);
  ASSERT_EQ(second.engine->recover(), 1);
  saga.poison.await_call(2).complete(StepOutcome::success());
  EXPECT_EQ(second.run_to_end("wf-1").status, WorkflowStatus::completed);
  EXPECT_TRUE(find_event(second.engine->history("wf-1"), "step_redispatched", "poison"));
  EXPECT_EQ(second.engine->metrics().crash_suspected_steps, 0u);
  EXPECT_TRUE(second.engine->crash_recoveries().empty());
}

TEST(CrashAttempts, AnInstanceRestartInTheSameProcessIsNotAProcessDeath) {
  Saga saga;
  TestEngine t(on_store(make_memory_store(), 1));
  saga.define(*t.engine);
  t.engine->start("saga", "wf-1");
  saga.poison.await_call(1);
  t.engine->crash_instance("wf-1");
  saga.poison.await_call(2).complete(StepOutcome::success());
  EXPECT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
  EXPECT_EQ(t.engine->metrics().crash_suspected_steps, 0u);
}

TEST(CrashAttempts, CrashAttemptsMaxBelowOneIsRefused) {
  EngineOptions options;
  options.crash_attempts_max = 0;
  try {
    Engine engine(options);
    FAIL() << "accepted crash_attempts_max = 0";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("crash_attempts_max"), std::string::npos) << e.what();
  }
}

// Retries, backoff, timeouts, error strategies, compensation, breakers, idempotent start.
#include "async_probe.hpp"
#include "test_engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

// Fails the first `failures` calls, then succeeds.
SyncHandler failing_first(std::atomic<int>& calls, int failures) {
  return [&calls, failures](const StepContext&) -> Json {
    if (++calls <= failures) throw std::runtime_error("transient failure " + std::to_string(calls.load()));
    return Json{{"ok", true}};
  };
}

SyncHandler counting(std::atomic<int>& calls) {
  return [&calls](const StepContext&) {
    ++calls;
    return Json::object();
  };
}

SyncHandler always_failing(std::atomic<int>& calls, bool retryable = true) {
  return [&calls, retryable](const StepContext&) -> Json {
    ++calls;
    if (!retryable) throw NonRetryableError("permanent failure");
    throw std::runtime_error("still failing");
  };
}

// One step "s" of `calls`' async handler with an undo handler counting into `undo`; wf-1 started.
void start_undoable_step(TestEngine& t, AsyncProbe& calls, std::atomic<int>& undo, int retries) {
  t.engine->register_async_handler("flaky", calls.handler());
  t.engine->register_handler("undo", counting(undo));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").step(StepSpec("s", "flaky").compensate_with("undo").retry_with(quick_retry(retries))).build()));
  t.engine->start("w", "wf-1");
}

}  // namespace

TEST(Retries, BackoffDoublesFromTheInitialIntervalInVirtualTime) {
  TestEngine t;
  std::atomic<int> calls{0};
  t.engine->register_handler("flaky", failing_first(calls, 3));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").retry_with(quick_retry(3)).step("s", "flaky").build()));
  t.engine->start("w", "wf-1");

  std::vector<int64_t> delays_ms;
  for (int retry = 1; retry <= 3; ++retry) {
    auto timer = t.clock->await_timer("backoff");
    ASSERT_TRUE(timer) << "no backoff before retry " << retry;
    delays_ms.push_back(timer->due_ms - t.clock->now_ms());
    t.clock->advance(Millis(timer->due_ms - t.clock->now_ms()));
  }
  EXPECT_EQ(delays_ms, (std::vector<int64_t>{100, 200, 400}));
  auto info = t.engine->wait("wf-1", Millis(10'000));
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  EXPECT_EQ(calls.load(), 4);
  EXPECT_EQ(t.steps_of("wf-1", "step_retrying").size(), 3u);
}

TEST(Retries, DefaultPolicyRetriesThreeTimesThenCompensates) {
  TestEngine t;
  std::atomic<int> calls{0}, undo{0};
  t.engine->register_handler("ok", counting(undo));
  t.engine->register_handler("undo", counting(undo));
  t.engine->register_handler("bad", always_failing(calls));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").step(StepSpec("first", "ok").compensate_with("undo")).step("second", "bad").build()));
  t.engine->start("w", "wf-1");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(calls.load(), 4) << "1 attempt + 3 retries by default";
  EXPECT_NE(info.error.find("after 4 attempts"), std::string::npos) << info.error;
}

TEST(Retries, JitteredDelaysStayWithinBoundsAndUnderTheCap) {
  TestEngine t;
  std::atomic<int> calls{0};
  t.engine->register_handler("bad", always_failing(calls));
  RetryPolicy policy{6, Millis(1000), 3.0, Millis(20'000), 0.5};
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").on_error(ErrorStrategy::retry).retry_with(policy).step("s", "bad").build()));
  t.engine->start("w", "wf-1");
  int64_t nominal = 1000;
  for (int retry = 1; retry <= 6; ++retry) {
    auto timer = t.clock->await_timer("backoff");
    ASSERT_TRUE(timer);
    int64_t delay = timer->due_ms - t.clock->now_ms();
    int64_t capped = std::min<int64_t>(nominal, 20'000);
    EXPECT_GE(delay, capped / 2) << "retry " << retry;
    EXPECT_LE(delay, capped) << "retry " << retry;
    nominal *= 3;
    t.clock->advance(Millis(delay));
  }
  EXPECT_EQ(t.engine->wait("wf-1", Millis(10'000))->status, WorkflowStatus::failed);
  EXPECT_EQ(calls.load(), 7);
}

TEST(Retries, NonRetryableErrorSkipsRetries) {
  TestEngine t;
  std::atomic<int> calls{0};
  t.engine->register_handler("bad", always_failing(calls, false));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "bad").build()));
  t.engine->start("w", "wf-1");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(t.steps_of("wf-1", "step_retrying").empty());
}

TEST(Timeouts, AHangingStepTimesOutAfterThirtySecondsByDefault) {
  TestEngine t;
  AsyncProbe hanging;  // never completes on its own
  t.engine->register_async_handler("hang", hanging.handler());
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").step(StepSpec("s", "hang").retry_with(quick_retry(0))).build()));
  t.engine->start("w", "wf-1");
  hanging.await_call(1);
  auto timer = t.clock->await_timer("s timeout");
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->due_ms - t.clock->now_ms(), 30'000);

  t.clock->advance(Millis(29'999));
  EXPECT_EQ(t.engine->query("wf-1")->status, WorkflowStatus::running);
  t.clock->advance(Millis(1));
  auto info = t.engine->wait("wf-1", Millis(10'000));
  EXPECT_EQ(info->status, WorkflowStatus::compensated);
  EXPECT_NE(info->error.find("timed out after 30000 ms"), std::string::npos) << info->error;
  EXPECT_EQ(t.steps_of("wf-1", "step_timed_out"), (std::vector<std::string>{"s"}));
}

TEST(Timeouts, ATimedOutStepIsRetriedAndALateAnswerIsIgnored) {
  TestEngine t;
  AsyncProbe probe;
  t.engine->register_async_handler("slow", probe.handler());
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .step(StepSpec("s", "slow").timeout_after(Millis(5000)).retry_with(quick_retry(1)))
                                              .build()));
  t.engine->start("w", "wf-1");
  auto first = probe.await_call(1);
  ASSERT_TRUE(t.clock->advance_to_timer("s timeout"));
  ASSERT_TRUE(t.clock->advance_to_timer("s backoff"));
  auto second = probe.await_call(2);
  first.complete(StepOutcome::success({{"from", "first"}}));  // too late: ignored
  second.complete(StepOutcome::success({{"from", "second"}}));
  auto info = t.engine->wait("wf-1", Millis(10'000));
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  EXPECT_EQ(info->data["s"]["from"], "second");
}

TEST(Strategies, RetryFailsTheWorkflowWithoutCompensating) {
  TestEngine t;
  std::atomic<int> calls{0}, undo{0};
  t.engine->register_handler("ok", counting(undo));
  t.engine->register_handler("undo", counting(undo));
  t.engine->register_handler("bad", always_failing(calls));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .on_error(ErrorStrategy::retry)
                                              .retry_with(quick_retry(2))
                                              .step(StepSpec("a", "ok").compensate_with("undo"))
                                              .step("b", "bad")
                                              .build()));
  t.engine->start("w", "wf-1");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::failed);
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(undo.load(), 1) << "only the forward call of 'a', no compensation";
}

TEST(Strategies, CompensateUndoesAtOnceWithoutRetrying) {
  TestEngine t;
  std::atomic<int> calls{0}, undo{0}, ok{0};
  t.engine->register_handler("ok", counting(ok));
  t.engine->register_handler("undo", counting(undo));
  t.engine->register_handler("bad", always_failing(calls));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .step(StepSpec("a", "ok").compensate_with("undo"))
                                              .step(StepSpec("b", "bad").on_error(ErrorStrategy::compensate))
                                              .build()));
  t.engine->start("w", "wf-1");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(undo.load(), 1);
}

TEST(Strategies, DeadLetterParksTheWorkflowWithTheReason) {
  TestEngine t;
  std::atomic<int> calls{0}, undo{0}, ok{0};
  t.engine->register_handler("ok", counting(ok));
  t.engine->register_handler("undo", counting(undo));
  t.engine->register_handler("bad", always_failing(calls));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .on_error(ErrorStrategy::dead_letter)
                                              .step(StepSpec("a", "ok").compensate_with("undo"))
                                              .step("b", "bad")
                                              .build()));
  t.engine->start("w", "wf-1");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::dead_lettered);
  EXPECT_EQ(undo.load(), 0);
  auto letters = t.engine->dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].workflow_id, "wf-1");
  EXPECT_NE(letters[0].reason.find("step 'b' failed"), std::string::npos) << letters[0].reason;
}

TEST(Strategies, RetryThenCompensateIsTheDefaultAndUndoesInReverseOrder) {
  TestEngine t;
  std::atomic<int> calls{0}, ok{0}, undo{0};
  t.engine->register_handler("ok", counting(ok));
  t.engine->register_handler("undo", counting(undo));
  t.engine->register_handler("bad", always_failing(calls));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .retry_with(quick_retry(2))
                                              .step(StepSpec("a", "ok").compensate_with("undo"))
                                              .step("b", "ok")  // nothing to undo
                                              .step(StepSpec("c", "ok").compensate_with("undo"))
                                              .step("d", "bad")
                                              .build()));
  t.engine->start("w", "wf-1");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(t.steps_of("wf-1", "compensation_completed"), (std::vector<std::string>{"c", "a"}));
}

TEST(Compensation, AFailingCompensationIsRetriedThenDeadLettered) {
  TestEngine t;
  std::atomic<int> ok{0}, bad{0}, undo{0};
  t.engine->register_handler("ok", counting(ok));
  t.engine->register_handler("bad", always_failing(bad, false));
  t.engine->register_handler("undo", always_failing(undo));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .retry_with(quick_retry(2))
                                              .step(StepSpec("a", "ok").compensate_with("undo"))
                                              .step("b", "bad")
                                              .build()));
  t.engine->start("w", "wf-1");
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::dead_lettered);
  EXPECT_EQ(undo.load(), 3) << "1 attempt + 2 retries";
  EXPECT_NE(info.error.find("compensation of step 'a' failed after 3 attempts"), std::string::npos) << info.error;
  EXPECT_NE(info.error.find("permanent failure"), std::string::npos) << "the original failure is kept: " << info.error;
  ASSERT_EQ(t.engine->dead_letters().size(), 1u);
}

TEST(Breakers, AnOpenBreakerDelaysTheStepWithoutBurningAttempts) {
  TestEngine t;
  std::atomic<int> calls{0};
  t.engine->register_handler("pay", failing_first(calls, 2));
  t.engine->register_breaker("payments", BreakerOptions{2, Millis(60'000), Millis(10'000), 1});
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .retry_with(quick_retry(2))
                                              .step(StepSpec("charge", "pay").guarded_by("payments"))
                                              .build()));
  t.engine->start("w", "wf-1");
  // Two failures open the breaker; the second retry is then held until the breaker half-opens.
  ASSERT_TRUE(t.clock->advance_to_timer("charge backoff"));
  ASSERT_TRUE(t.clock->advance_to_timer("charge backoff"));
  auto wait = t.clock->await_timer("charge breaker-wait");
  ASSERT_TRUE(wait) << "the step was not held by the open breaker";
  EXPECT_EQ(t.engine->breaker_state("payments"), BreakerState::open);
  ASSERT_TRUE(t.clock->advance_to_timer("charge breaker-wait"));  // open for its 10 s reset timeout
  auto info = t.engine->wait("wf-1", Millis(10'000));
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(t.steps_of("wf-1", "step_breaker_open").size(), 1u);
  // The success reaches the breaker just after the workflow's final snapshot: await it.
  std::optional<BreakerState> state;
  for (int i = 0; i < 400 && state != BreakerState::closed; ++i) {
    state = t.engine->breaker_state("payments");
    if (state != BreakerState::closed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(state, BreakerState::closed);
}

TEST(Idempotency, StartingAnExistingIdReturnsItWithoutASecondRun) {
  TestEngine t;
  std::atomic<int> calls{0};
  t.engine->register_handler("x", counting(calls));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "x").build()));
  auto first = t.engine->start("w", "same-id", {{"v", 1}});
  auto second = t.engine->start("w", "same-id", {{"v", 1}});  // the same start again (another input: 409)
  EXPECT_TRUE(first.created);
  EXPECT_TRUE(second.status);
  EXPECT_FALSE(second.created);
  auto info = t.run_to_end("same-id");
  EXPECT_EQ(info.data["v"], 1);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_FALSE(t.engine->start("w", "same-id").created) << "a finished workflow is not started again";
  EXPECT_EQ(calls.load(), 1);
}

TEST(Idempotency, StartRefusesUnknownDefinitionsAndBadInput) {
  TestEngine t;
  auto unknown = t.engine->start("nope", "id-1");
  EXPECT_FALSE(unknown.status);
  EXPECT_EQ(unknown.status.message(), "unknown workflow definition 'nope'");
  std::atomic<int> calls{0};
  t.engine->register_handler("x", counting(calls));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "x").build()));
  EXPECT_FALSE(t.engine->start("w", "").status);
  EXPECT_FALSE(t.engine->start("w", "id-2", Json::array()).status);
  EXPECT_FALSE(t.engine->start("w", std::string(300, 'x')).status);
}

TEST(Timeouts, AStepThatFailsForGoodAfterAnAttemptTimedOutIsCompensatedToo) {
  // Attempt 1 times out (its call may still land), attempt 2 fails for good: the step is undone,
  // since attempt 1 may have taken effect.
  TestEngine t;
  AsyncProbe calls;
  std::atomic<int> undo{0};
  ASSERT_NO_FATAL_FAILURE(start_undoable_step(t, calls, undo, 1));
  calls.await_call(1);
  ASSERT_TRUE(t.clock->advance_to_timer("s timeout"));
  ASSERT_TRUE(t.clock->advance_to_timer("s backoff"));
  calls.await_call(2).complete(StepOutcome::failure("card declined", /*retryable=*/false));
  auto info = t.engine->wait("wf-1", Millis(10'000));
  EXPECT_EQ(info->status, WorkflowStatus::compensated);
  EXPECT_EQ(undo.load(), 1);
  EXPECT_EQ(t.steps_of("wf-1", "compensation_completed"), (std::vector<std::string>{"s"}));
}

TEST(Timeouts, AStepThatFailsForGoodWithEveryAttemptAnsweredIsNotCompensated) {
  TestEngine t;
  AsyncProbe calls;
  std::atomic<int> undo{0};
  ASSERT_NO_FATAL_FAILURE(start_undoable_step(t, calls, undo, 1));
  calls.await_call(1).complete(StepOutcome::failure("busy", /*retryable=*/true));
  ASSERT_TRUE(t.clock->advance_to_timer("s backoff"));
  calls.await_call(2).complete(StepOutcome::failure("card declined", /*retryable=*/false));
  auto info = t.engine->wait("wf-1", Millis(10'000));
  EXPECT_EQ(info->status, WorkflowStatus::compensated);
  EXPECT_EQ(undo.load(), 0) << "every attempt answered that it failed: nothing to undo";
}

TEST(Timeouts, AStepThatTimedOutIsCompensatedBecauseItMayHaveTakenEffect) {
  TestEngine t;
  AsyncProbe hanging;
  std::atomic<int> undo{0};
  ASSERT_NO_FATAL_FAILURE(start_undoable_step(t, hanging, undo, 0));
  hanging.await_call(1);
  ASSERT_TRUE(t.clock->advance_to_timer("s timeout"));
  auto info = t.engine->wait("wf-1", Millis(10'000));
  EXPECT_EQ(info->status, WorkflowStatus::compensated);
  EXPECT_EQ(undo.load(), 1);
  EXPECT_EQ(t.steps_of("wf-1", "compensation_completed"), (std::vector<std::string>{"s"}));
}

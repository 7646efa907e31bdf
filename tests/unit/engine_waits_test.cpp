// Waiting that costs nothing: signals, approvals, durable sleeps and passivation, on a virtual
// clock. A test reaches a wait by awaiting its timer (the deadline, the sleep or the passivation
// check), never by sleeping.
#include "async_probe.hpp"
#include "test_engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr Millis kHour{3'600'000};

SyncHandler counting(std::atomic<int>& calls) {
  return [&calls](const StepContext&) {
    ++calls;
    return Json::object();
  };
}

bool has_event(TestEngine& t, const std::string& id, const std::string& type, const std::string& detail_part = {}) {
  for (const auto& event : t.engine->history(id))
    if (event.type == type && event.detail.find(detail_part) != std::string::npos) return true;
  return false;
}

EngineOptions never_passivate() {
  EngineOptions options;
  options.passivate_after = std::nullopt;
  options.retry_default = quick_retry();
  return options;
}

WorkflowDefinition wait_then_step(WaitSpec wait) {
  return WorkflowBuilder("w").wait_for(std::move(wait)).step("after", "after").build();
}

}  // namespace

TEST(Signals, ASignalSentAfterTheWaitBeganIsTakenAndItsPayloadIsTheOutput) {
  TestEngine t(never_passivate());
  std::atomic<int> after{0};
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(wait_then_step(WaitSpec("go", "go").timeout_after(kHour))));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.clock->await_timer("wf-1/go deadline"));
  EXPECT_EQ(after.load(), 0);

  ASSERT_TRUE(t.engine->signal("wf-1", "go", {{"colour", "green"}}));

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["go"], (Json{{"colour", "green"}}));
  EXPECT_EQ(after.load(), 1);
  EXPECT_TRUE(has_event(t, "wf-1", "signal_received", "'go' #1"));
  EXPECT_TRUE(has_event(t, "wf-1", "signal_taken"));
}

TEST(Signals, ASignalSentBeforeTheWorkflowReachesTheWaitIsKeptNotLost) {
  TestEngine t(never_passivate());
  AsyncProbe first;
  t.engine->register_async_handler("first", first.handler());
  std::atomic<int> after{0};
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").step("first", "first").wait_for(WaitSpec("go", "go")).step("after", "after").build()));
  t.engine->start("w", "wf-1");
  auto call = first.await_call(1);

  ASSERT_TRUE(t.engine->signal("wf-1", "go", {{"early", true}}));
  call.complete(StepOutcome::success());

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["go"]["early"], true);
}

TEST(Signals, TwoSignalsOfOneNameAreTakenByTwoWaitsInArrivalOrder) {
  TestEngine t(never_passivate());
  AsyncProbe first;
  t.engine->register_async_handler("first", first.handler());
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .step("first", "first")
                                              .wait_for(WaitSpec("one", "tick"))
                                              .wait_for(WaitSpec("two", "tick"))
                                              .build()));
  t.engine->start("w", "wf-1");
  auto call = first.await_call(1);
  ASSERT_TRUE(t.engine->signal("wf-1", "tick", {{"n", 1}}));
  ASSERT_TRUE(t.engine->signal("wf-1", "tick", {{"n", 2}}));
  call.complete(StepOutcome::success());

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.data["one"]["n"], 1);
  EXPECT_EQ(info.data["two"]["n"], 2);
}

TEST(Signals, BadSignalsGetClearErrors) {
  TestEngine t(never_passivate());
  std::atomic<int> after{0};
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(wait_then_step(WaitSpec("go", "go"))));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("plain").step("after", "after").build()));
  t.engine->start("w", "wf-1");
  t.engine->start("plain", "done");
  ASSERT_EQ(t.run_to_end("done").status, WorkflowStatus::completed);

  auto unknown = t.engine->signal("wf-1", "stop");
  EXPECT_FALSE(unknown);
  EXPECT_EQ(unknown.message(), "workflow 'wf-1' (w v1) waits for no signal 'stop'; it waits for: go");
  auto finished = t.engine->signal("done", "go");
  EXPECT_FALSE(finished);
  EXPECT_EQ(finished.message(), "workflow 'done' has ended (completed); signal 'go' was not delivered");
  auto missing = t.engine->signal("nobody", "go");
  EXPECT_FALSE(missing);
  EXPECT_EQ(missing.message(), "no workflow 'nobody'");
  EXPECT_TRUE(t.engine->store().inbox_after("wf-1", 0).empty()) << "refused signals are not stored";
}

TEST(Signals, AWaitThatTimesOutFailsAndTheSagaIsCompensated) {
  TestEngine t(never_passivate());
  std::atomic<int> booked{0}, cancelled{0};
  t.engine->register_handler("book", counting(booked));
  t.engine->register_handler("cancel", counting(cancelled));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .step(StepSpec("book", "book").compensate_with("cancel"))
                                              .wait_for(WaitSpec("confirm", "confirm").timeout_after(kHour))
                                              .build()));
  t.engine->start("w", "wf-1");
  auto deadline = t.clock->advance_to_timer("wf-1/confirm deadline");
  ASSERT_TRUE(deadline);

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(info.error, "wait 'confirm': no signal 'confirm' in time");
  EXPECT_EQ(cancelled.load(), 1);
}

TEST(Signals, AWaitTimeoutCanTakeABranchInstead) {
  TestEngine t(never_passivate());
  std::atomic<int> reminders{0}, after{0};
  t.engine->register_handler("remind", counting(reminders));
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(wait_then_step(
      WaitSpec("go", "go").timeout_after(kHour).on_timeout_take(Sequence().step("remind", "remind")))));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.clock->advance_to_timer("wf-1/go deadline"));

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["go"]["timed_out"], true);
  EXPECT_EQ(reminders.load(), 1);
  EXPECT_EQ(after.load(), 1);
}

TEST(Approvals, ApproveRecordsWhoAndWhyAndGoesOn) {
  TestEngine t(never_passivate());
  std::atomic<int> after{0};
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").approval(WaitSpec("manager", "").timeout_after(kHour)).step("after", "after").build()));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.clock->await_timer("wf-1/manager deadline"));

  ASSERT_TRUE(t.engine->signal("wf-1", "manager", {{"decision", "approve"}, {"by", "ann"}, {"reason", "in budget"}}));

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["manager"]["by"], "ann");
  EXPECT_TRUE(has_event(t, "wf-1", "approval_granted", "by ann: in budget"));
  EXPECT_EQ(after.load(), 1);
}

TEST(Approvals, RejectFailsTheWorkflowWithWhoAndWhyAndCompensates) {
  TestEngine t(never_passivate());
  std::atomic<int> reserved{0}, released{0}, after{0};
  t.engine->register_handler("reserve", counting(reserved));
  t.engine->register_handler("release", counting(released));
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .step(StepSpec("reserve", "reserve").compensate_with("release"))
                                              .approval(WaitSpec("manager", ""))
                                              .step("after", "after")
                                              .build()));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.engine->signal("wf-1", "manager", {{"decision", "reject"}, {"by", "bob"}, {"reason", "too dear"}}));

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(info.error, "approval 'manager' rejected by bob: too dear");
  EXPECT_TRUE(has_event(t, "wf-1", "approval_rejected", "by bob: too dear"));
  EXPECT_EQ(released.load(), 1);
  EXPECT_EQ(after.load(), 0);
}

TEST(Approvals, AMalformedDecisionIsRecordedAndIgnored) {
  TestEngine t(never_passivate());
  std::atomic<int> after{0};
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").approval(WaitSpec("manager", "")).step("after", "after").build()));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.engine->signal("wf-1", "manager", {{"decision", "maybe"}, {"by", "cat"}}));
  ASSERT_TRUE(t.engine->signal("wf-1", "manager", {{"decision", "approve"}, {"by", "dan"}}));

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["manager"]["by"], "dan");
  EXPECT_TRUE(has_event(t, "wf-1", "approval_signal_invalid", "\"decision\" must be \"approve\" or \"reject\""));
}

TEST(Approvals, OfTwoDecisionsOneIsTakenTheOtherIsRecordedAsRefusedAndALaterOneIsRefused) {
  TestEngine t(never_passivate());
  AsyncProbe before;
  std::atomic<int> after{0};
  t.engine->register_async_handler("before", before.handler());
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").step("before", "before").approval(WaitSpec("manager", "")).step("after", "after").build()));
  t.engine->start("w", "wf-1");
  auto call = before.await_call(1);
  // Both arrive while the gate is still ahead: both are stored, one decides.
  ASSERT_TRUE(t.engine->signal("wf-1", "manager", {{"decision", "approve"}, {"by", "ann"}}));
  ASSERT_TRUE(t.engine->signal("wf-1", "manager", {{"decision", "reject"}, {"by", "bob"}}));
  call.complete(StepOutcome::success());

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["manager"]["by"], "ann");
  EXPECT_TRUE(has_event(t, "wf-1", "approval_granted", "by ann"));
  EXPECT_TRUE(has_event(t, "wf-1", "approval_duplicate_refused", "from bob refused: approval 'manager' was already approved by ann"));
  EXPECT_FALSE(has_event(t, "wf-1", "approval_rejected"));
  EXPECT_EQ(after.load(), 1);
}

TEST(Approvals, ADecisionAfterTheGateDecidedIsRefusedNamingTheDecisionTaken) {
  TestEngine t(never_passivate());
  AsyncProbe after;
  t.engine->register_async_handler("after", after.handler());
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").approval(WaitSpec("manager", "")).step("after", "after").build()));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.engine->signal("wf-1", "manager", {{"decision", "approve"}, {"by", "ann"}}));
  auto call = after.await_call(1);  // the gate has decided and that is stored

  Status late = t.engine->signal("wf-1", "manager", {{"decision", "reject"}, {"by", "bob"}});
  EXPECT_FALSE(late);
  EXPECT_EQ(late.code(), StatusCode::failed_precondition);
  EXPECT_NE(late.message().find("approval 'manager' of workflow 'wf-1' was already decided ('approve' by ann)"),
            std::string::npos)
      << late.message();
  call.complete(StepOutcome::success());
  EXPECT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
}

TEST(Approvals, AConditionalGateAsksOnlyAboveTheThreshold) {
  TestEngine t(never_passivate());
  std::atomic<int> ordered{0};
  t.engine->register_handler("order", counting(ordered));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("po")
          .choice("gate", {when("amount > 100", [](const Json& d) { return d.at("amount").get<int>() > 100; },
                                Sequence().approval(WaitSpec("manager", "")))})
          .step("order", "order")
          .build()));
  t.engine->start("po", "small", {{"amount", 50}});
  EXPECT_EQ(t.run_to_end("small").status, WorkflowStatus::completed);

  t.engine->start("po", "large", {{"amount", 500}});
  ASSERT_TRUE(t.engine->signal("large", "manager", {{"decision", "approve"}, {"by", "eve"}}));
  EXPECT_EQ(t.run_to_end("large").status, WorkflowStatus::completed);
  EXPECT_FALSE(has_event(t, "small", "approval_waiting"));
  EXPECT_TRUE(has_event(t, "large", "approval_granted", "by eve"));
  EXPECT_EQ(ordered.load(), 2);
}

TEST(Approvals, EscalationRunsAfterTheFirstTimeoutAndTheWaitGoesOn) {
  TestEngine t(never_passivate());
  std::atomic<int> escalations{0}, after{0};
  t.engine->register_handler("tell_director", counting(escalations));
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(wait_then_step(
      WaitSpec("manager", "manager")
          .timeout_after(kHour)
          .on_timeout_escalate(Sequence().step("tell_director", "tell_director"), 2 * kHour))));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.clock->advance_to_timer("wf-1/manager deadline"));
  // Escalated: a second deadline two hours on, and the director was told.
  auto second = t.clock->await_timer("wf-1/manager deadline");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->due_ms, t.clock->now_ms() + 2 * kHour.count());

  ASSERT_TRUE(t.engine->signal("wf-1", "manager", {{"late", true}}));
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(escalations.load(), 1);
  EXPECT_TRUE(has_event(t, "wf-1", "wait_escalated"));
}

TEST(Approvals, AfterEscalationTheSecondTimeoutFails) {
  TestEngine t(never_passivate());
  std::atomic<int> escalations{0}, after{0};
  t.engine->register_handler("tell_director", counting(escalations));
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(wait_then_step(
      WaitSpec("manager", "manager")
          .timeout_after(kHour)
          .on_timeout_escalate(Sequence().step(StepSpec("tell_director", "tell_director").timeout_after(3 * kHour)),
                               kHour))));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.clock->advance_to_timer("wf-1/manager deadline"));
  ASSERT_TRUE(t.clock->advance_to_timer("wf-1/manager deadline"));

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);  // nothing to undo: compensated trivially
  EXPECT_EQ(info.error, "wait 'manager': no signal 'manager' in time");
  EXPECT_EQ(escalations.load(), 1);
  EXPECT_EQ(after.load(), 0);
}

TEST(DurableTimers, SleepWakesAtItsTime) {
  TestEngine t(never_passivate());
  std::atomic<int> after{0};
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").sleep("nap", kHour).step("after", "after").build()));
  const int64_t started = t.clock->now_ms();
  t.engine->start("w", "wf-1");
  auto timer = t.clock->await_timer("wf-1/nap sleep");
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->due_ms, started + kHour.count());
  t.clock->advance(kHour - Millis(1));
  EXPECT_EQ(t.engine->query("wf-1")->status, WorkflowStatus::running);

  t.clock->advance(Millis(1));

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["nap"]["woke_at_ms"], started + kHour.count());
  EXPECT_EQ(after.load(), 1);
}

TEST(DurableTimers, SleepUntilReadsTheTimeFromTheData) {
  TestEngine t(never_passivate());
  std::atomic<int> after{0};
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").sleep_until("until", "/remind_at").step("after", "after").build()));
  const int64_t at = t.clock->now_ms() + 90'000;
  t.engine->start("w", "wf-1", {{"remind_at", at}});
  auto timer = t.clock->advance_to_timer("wf-1/until sleep");
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->due_ms, at);
  EXPECT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
}

TEST(DurableTimers, ASleepingWorkflowResumesItsTimerInANewEngineOnTheSameStore) {
  auto store = make_memory_store();
  EngineOptions options = never_passivate();
  options.store = store;
  std::atomic<int> after{0};
  int64_t due = 0;
  {
    TestEngine first(options);
    first.engine->register_handler("after", counting(after));
    ASSERT_TRUE(first.engine->register_workflow(WorkflowBuilder("w").sleep("nap", kHour).step("after", "after").build()));
    first.engine->start("w", "wf-1");
    due = first.clock->await_timer("wf-1/nap sleep")->due_ms;
  }
  TestEngine second(options);
  second.engine->register_handler("after", counting(after));
  ASSERT_TRUE(second.engine->register_workflow(WorkflowBuilder("w").sleep("nap", kHour).step("after", "after").build()));
  ASSERT_EQ(second.engine->recover(), 1);
  auto timer = second.clock->await_timer("wf-1/nap sleep");
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->due_ms, due) << "both virtual clocks start at the same time: the timer keeps its time";
  second.clock->advance(Millis(timer->due_ms - second.clock->now_ms()));
  EXPECT_EQ(second.run_to_end("wf-1").status, WorkflowStatus::completed);
  EXPECT_EQ(after.load(), 1);
}

TEST(Passivation, AnIdleWaitingInstanceIsStoppedAndASignalBringsItBack) {
  EngineOptions options = never_passivate();
  options.passivate_after = Millis(5'000);
  TestEngine t(options);
  std::atomic<int> after{0};
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(wait_then_step(WaitSpec("go", "go"))));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.clock->advance_to_timer("wf-1 passivate"));
  ASSERT_TRUE(t.await_no_instances());

  // A query reads the store: it does not wake the workflow.
  auto waiting = t.engine->query("wf-1");
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->status, WorkflowStatus::running);
  EXPECT_EQ(t.engine->running_instances(), 0u);

  ASSERT_TRUE(t.engine->signal("wf-1", "go", {{"back", true}}));
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["go"]["back"], true);
  EXPECT_EQ(after.load(), 1);
}

TEST(Passivation, APassivatedSleepIsWokenByTheWakerAtItsTime) {
  EngineOptions options = never_passivate();
  options.passivate_after = Millis(5'000);
  options.wake_poll_interval = Millis(60'000);
  TestEngine t(options);
  std::atomic<int> after{0};
  t.engine->register_handler("after", counting(after));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").sleep("nap", kHour).step("after", "after").build()));
  const int64_t started = t.clock->now_ms();
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.clock->advance_to_timer("wf-1 passivate"));
  ASSERT_TRUE(t.await_no_instances());
  const auto pending = t.clock->pending();
  EXPECT_TRUE(std::none_of(pending.begin(), pending.end(), [](const PendingTimer& p) { return p.label == "wf-1/nap sleep"; }))
      << "a passivated workflow holds no timer";

  // The waker reads the wake-up index a poll ahead and puts the exact wake-up on the clock.
  while (t.clock->now_ms() < started + kHour.count() - options.wake_poll_interval.count())
    ASSERT_TRUE(t.clock->advance_to_timer("waker poll"));
  auto wake = t.clock->advance_to_timer("wf-1 wake");
  ASSERT_TRUE(wake);
  EXPECT_EQ(wake->due_ms, started + kHour.count());
  ASSERT_TRUE(t.clock->advance_to_timer("wf-1/nap sleep"));
  EXPECT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
  EXPECT_EQ(after.load(), 1);
}

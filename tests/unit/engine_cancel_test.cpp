// Cancelling a workflow: it is stored like a signal, nothing new starts, running steps finish,
// completed steps are compensated newest first, and the workflow ends compensated.
#include "async_probe.hpp"
#include "test_engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

struct Journal {
  std::mutex mutex;
  std::vector<std::string> entries;
  SyncHandler note(std::string what) {
    return [this, what](const StepContext&) {
      std::lock_guard lock(mutex);
      entries.push_back(what);
      return Json::object();
    };
  }
  std::vector<std::string> all() {
    std::lock_guard lock(mutex);
    return entries;
  }
};

EngineOptions options(std::optional<Millis> passivate_after = std::nullopt) {
  EngineOptions o;
  o.passivate_after = passivate_after;
  o.retry_default = quick_retry();
  return o;
}

void register_trip(TestEngine& t, Journal& journal) {
  for (const char* name : {"flight", "hotel", "pay"}) {
    t.engine->register_handler(std::string("book_") + name, journal.note(std::string("book ") + name));
    t.engine->register_handler(std::string("cancel_") + name, journal.note(std::string("cancel ") + name));
  }
}

}  // namespace

TEST(Cancel, AWaitingWorkflowIsCompensatedNewestFirst) {
  TestEngine t(options());
  Journal journal;
  register_trip(t, journal);
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("trip")
                                              .step(StepSpec("flight", "book_flight").compensate_with("cancel_flight"))
                                              .step(StepSpec("hotel", "book_hotel").compensate_with("cancel_hotel"))
                                              .wait_for(WaitSpec("confirm", "confirm").timeout_after(Millis(3'600'000)))
                                              .step(StepSpec("pay", "book_pay"))
                                              .build()));
  t.engine->start("trip", "trip-1");
  ASSERT_TRUE(t.clock->await_timer("trip-1/confirm deadline"));

  ASSERT_TRUE(t.engine->cancel("trip-1", "ops", "customer changed plans"));

  auto info = t.run_to_end("trip-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(info.error, "cancelled by ops: customer changed plans");
  EXPECT_EQ(journal.all(), (std::vector<std::string>{"book flight", "book hotel", "cancel hotel", "cancel flight"}));
  auto types = t.event_types("trip-1");
  EXPECT_NE(std::find(types.begin(), types.end(), "workflow_cancel_requested"), types.end());
  EXPECT_EQ(t.steps_of("trip-1", "step_cancelled"), std::vector<std::string>{"confirm"});
}

TEST(Cancel, ARunningStepFinishesAndIsCompensatedToo) {
  TestEngine t(options());
  Journal journal;
  register_trip(t, journal);
  AsyncProbe slow;
  t.engine->register_async_handler("slow_hotel", slow.handler());
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("trip")
                                              .step(StepSpec("flight", "book_flight").compensate_with("cancel_flight"))
                                              .step(StepSpec("hotel", "slow_hotel").compensate_with("cancel_hotel"))
                                              .step(StepSpec("pay", "book_pay"))
                                              .build()));
  t.engine->start("trip", "trip-1");
  auto call = slow.await_call(1);
  ASSERT_TRUE(t.engine->cancel("trip-1", "ann", ""));
  // The cancel is taken before the hotel answers: the hotel still completes, then is undone.
  ASSERT_TRUE(t.await_event("trip-1", "workflow_cancel_requested"));
  call.complete(StepOutcome::success());

  auto info = t.run_to_end("trip-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(info.error, "cancelled by ann");
  EXPECT_EQ(journal.all(), (std::vector<std::string>{"book flight", "cancel hotel", "cancel flight"}));
}

TEST(Cancel, APassivatedWorkflowIsBroughtBackToBeCancelled) {
  TestEngine t(options(Millis(1'000)));
  Journal journal;
  register_trip(t, journal);
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("trip")
                                              .step(StepSpec("flight", "book_flight").compensate_with("cancel_flight"))
                                              .wait_for(WaitSpec("confirm", "confirm"))
                                              .build()));
  t.engine->start("trip", "trip-1");
  ASSERT_TRUE(t.clock->advance_to_timer("trip-1 passivate"));
  ASSERT_TRUE(t.await_no_instances());

  ASSERT_TRUE(t.engine->cancel("trip-1", "ops", "timeout policy"));

  auto info = t.run_to_end("trip-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_EQ(journal.all(), (std::vector<std::string>{"book flight", "cancel flight"}));
}

TEST(Cancel, EndedOrMissingWorkflowsCannotBeCancelled) {
  TestEngine t(options());
  Journal journal;
  register_trip(t, journal);
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("trip").step("flight", "book_flight").build()));
  t.engine->start("trip", "trip-1");
  ASSERT_EQ(t.run_to_end("trip-1").status, WorkflowStatus::completed);

  auto ended = t.engine->cancel("trip-1", "ops", "late");
  EXPECT_FALSE(ended);
  EXPECT_EQ(ended.message(), "workflow 'trip-1' has ended (completed); the cancel was not delivered");
  EXPECT_EQ(t.engine->cancel("nope", "ops", "").message(), "no workflow 'nope'");
}

TEST(Cancel, SignalNamesStartingWithADollarAreReserved) {
  TestEngine t(options());
  auto status = t.engine->register_workflow(WorkflowBuilder("w").wait_for(WaitSpec("w", "$cancel")).build());
  EXPECT_FALSE(status);
  EXPECT_NE(status.message().find("signal names starting with '$' are reserved ('$cancel')"), std::string::npos)
      << status.message();
}

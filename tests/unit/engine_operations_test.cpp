// Operator calls: dead-letter retry, drain before shutdown, metrics, lists.
#include "test_engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

// A handler that blocks until released; counts its calls.
class Gate {
 public:
  SyncHandler handler() {
    return [this](const StepContext&) {
      std::unique_lock lock(mutex_);
      ++entered_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return open_; });
      return Json{{"released", true}};
    };
  }
  bool await_entered(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_ >= n; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  int entered() {
    std::lock_guard lock(mutex_);
    return entered_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

EngineOptions real_time(std::shared_ptr<Store> store) {
  EngineOptions options;
  options.store = std::move(store);
  options.passivate_after = std::nullopt;
  return options;
}

}  // namespace

TEST(DeadLetterRetry, TheFailedStepRunsAgainAfterTheCauseIsFixed) {
  TestEngine t;
  std::atomic<bool> fixed{false};
  std::atomic<int> reserved{0};
  t.engine->register_handler("reserve", [&](const StepContext&) { return ++reserved, Json::object(); });
  t.engine->register_handler("charge", [&](const StepContext&) -> Json {
    if (!fixed) throw NonRetryableError("payment provider misconfigured");
    return Json{{"charged", true}};
  });
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("w").step("reserve", "reserve").step(StepSpec("charge", "charge").on_error(ErrorStrategy::dead_letter)).build()));
  t.engine->start("w", "wf-1");
  auto parked = t.run_to_end("wf-1");
  ASSERT_EQ(parked.status, WorkflowStatus::dead_lettered);
  ASSERT_EQ(t.engine->dead_letters().size(), 1u);

  fixed = true;
  ASSERT_TRUE(t.engine->retry_dead_letter("wf-1", "ops@example.com"));
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed) << info.error;
  EXPECT_EQ(info.data["charge"]["charged"], true);
  EXPECT_EQ(reserved.load(), 1);  // the step that had completed is not run again
  EXPECT_TRUE(t.engine->dead_letters().empty());
  auto history = t.engine->history("wf-1");
  auto retried = std::find_if(history.begin(), history.end(), [](const auto& e) { return e.type == "workflow_retried"; });
  ASSERT_NE(retried, history.end());
  EXPECT_NE(retried->detail.find("ops@example.com"), std::string::npos);
  EXPECT_NE(retried->detail.find("charge"), std::string::npos);
  EXPECT_EQ(t.engine->metrics().dead_letter_retries, 1u);
}

TEST(DeadLetterRetry, AFailedCompensationGoesOnWhenRetried) {
  TestEngine t;
  std::atomic<bool> fixed{false};
  t.engine->register_handler("reserve", [](const StepContext&) { return Json::object(); });
  t.engine->register_handler("release", [&](const StepContext&) -> Json {
    if (!fixed) throw NonRetryableError("inventory service down");
    return Json::object();
  });
  t.engine->register_handler("charge", [](const StepContext&) -> Json { throw NonRetryableError("declined"); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w")
                                              .step(StepSpec("reserve", "reserve").compensate_with("release").retry_with(quick_retry(0)))
                                              .step("charge", "charge")
                                              .build()));
  t.engine->start("w", "wf-1");
  ASSERT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::dead_lettered);

  fixed = true;
  ASSERT_TRUE(t.engine->retry_dead_letter("wf-1", "ops"));
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_NE(info.error.find("declined"), std::string::npos) << info.error;  // the original failure stays the cause
  EXPECT_EQ(t.steps_of("wf-1", "compensation_completed"), std::vector<std::string>{"reserve"});
}

TEST(DeadLetterRetry, AWorkflowParkedForCrashingResumesWhereItWas) {
  EngineOptions options;
  options.instance_restarts_max = 0;
  TestEngine t(options);
  t.engine->register_handler("after", [](const StepContext&) { return Json::object(); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").wait_for(WaitSpec("go", "go")).step("after", "after").build()));
  t.engine->start("w", "wf-1");
  ASSERT_TRUE(t.await_event("wf-1", "signal_waiting"));
  t.engine->crash_instance("wf-1");
  auto parked = t.engine->wait("wf-1", Millis(10'000));
  ASSERT_EQ(parked->status, WorkflowStatus::dead_lettered);

  ASSERT_TRUE(t.engine->retry_dead_letter("wf-1", "ops"));
  ASSERT_TRUE(t.engine->signal("wf-1", "go"));
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed) << info.error;
}

TEST(DeadLetterRetry, OnlyADeadLetteredWorkflowCanBeRetried) {
  TestEngine t;
  t.engine->register_handler("x", [](const StepContext&) { return Json::object(); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("x", "x").build()));
  t.engine->start("w", "done");
  ASSERT_EQ(t.run_to_end("done").status, WorkflowStatus::completed);

  auto completed = t.engine->retry_dead_letter("done", "ops");
  EXPECT_FALSE(completed);
  EXPECT_NE(completed.message().find("completed, not dead-lettered"), std::string::npos) << completed.message();
  auto missing = t.engine->retry_dead_letter("nope", "ops");
  EXPECT_FALSE(missing);
  EXPECT_NE(missing.message().find("no workflow 'nope'"), std::string::npos) << missing.message();
}

TEST(Drain, RunningStepsFinishAndAreCommittedQueuedOnesWaitForTheNextProcess) {
  auto store = make_memory_store();
  Gate gate;
  std::atomic<int> second_calls{0};
  auto define = [&](Engine& engine) {
    engine.register_handler("slow", gate.handler());
    engine.register_handler("second", [&](const StepContext&) { return ++second_calls, Json::object(); });
    ASSERT_TRUE(engine.register_workflow(WorkflowBuilder("w").step("slow", "slow").step("second", "second").build()));
  };
  {
    EngineOptions options = real_time(store);
    options.step_workers = 2;
    Engine engine(options);
    define(engine);
    engine.start("w", "a");
    engine.start("w", "b");
    ASSERT_TRUE(gate.await_entered(2));

    auto drained = std::async(std::launch::async, [&] { return engine.drain(Millis(10'000)); });
    // Draining: new work is refused while the running steps go on.
    while (!engine.draining()) std::this_thread::yield();
    auto refused = engine.start("w", "c");
    EXPECT_FALSE(refused.status);
    EXPECT_NE(refused.status.message().find("draining"), std::string::npos);
    gate.open();
    auto report = drained.get();
    EXPECT_TRUE(report.complete);
    EXPECT_EQ(report.steps_abandoned, 0);
    // The slow steps' results are stored; the next steps were not started.
    for (const char* id : {"a", "b"}) {
      auto types = engine.history(id);
      EXPECT_TRUE(std::any_of(types.begin(), types.end(),
                              [](const auto& e) { return e.type == "step_completed" && e.step == "slow"; }))
          << id;
    }
    EXPECT_EQ(second_calls.load(), 0);
  }
  Engine next(real_time(store));
  define(next);
  EXPECT_EQ(next.recover(), 2);
  for (const char* id : {"a", "b"}) EXPECT_EQ(next.wait(id, Millis(10'000))->status, WorkflowStatus::completed) << id;
  EXPECT_EQ(gate.entered(), 2);  // not run again
  EXPECT_EQ(second_calls.load(), 2);
  EXPECT_FALSE(next.query("c"));
}

TEST(Drain, AStepStillRunningAtTheDeadlineIsAbandonedAndRunsAgainLater) {
  auto store = make_memory_store();
  Gate gate;
  {
    Engine engine(real_time(store));
    engine.register_handler("slow", gate.handler());
    ASSERT_TRUE(engine.register_workflow(WorkflowBuilder("w").step("slow", "slow").build()));
    engine.start("w", "a");
    ASSERT_TRUE(gate.await_entered(1));
    auto report = engine.drain(Millis(100));
    EXPECT_FALSE(report.complete);
    EXPECT_EQ(report.steps_abandoned, 1);
    EXPECT_GE(report.waited_ms, 100);
    gate.open();  // lets the worker thread end with the engine
  }
  Engine next(real_time(store));
  next.register_handler("slow", [](const StepContext&) { return Json{{"second", true}}; });
  ASSERT_TRUE(next.register_workflow(WorkflowBuilder("w").step("slow", "slow").build()));
  // The abandoned step may still finish (and commit) while the first engine shuts down after the
  // gate opens; if not, the next engine runs it again. Either way the workflow completes.
  EXPECT_LE(next.recover(), 1);
  auto info = next.wait("a", Millis(10'000));
  EXPECT_EQ(info->status, WorkflowStatus::completed);
}

TEST(Metrics, CountStepsRetriesBreakersAndWorkflowsByStatus) {
  TestEngine t;
  std::atomic<int> calls{0};
  t.engine->register_handler("flaky", [&](const StepContext&) -> Json {
    if (++calls == 1) throw std::runtime_error("transient");
    return Json::object();
  });
  t.engine->register_handler("boom", [](const StepContext&) -> Json { throw NonRetryableError("no"); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("ok").step(StepSpec("f", "flaky").retry_with(quick_retry(3))).build()));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("bad").step("b", "boom").build()));
  t.engine->register_breaker("payments", BreakerOptions{});
  t.engine->start("ok", "wf-ok");
  t.engine->start("bad", "wf-bad");
  ASSERT_EQ(t.run_to_end("wf-ok").status, WorkflowStatus::completed);
  ASSERT_EQ(t.run_to_end("wf-bad").status, WorkflowStatus::compensated);

  auto m = t.engine->metrics();
  EXPECT_EQ(m.workflows_started, 2u);
  EXPECT_EQ(m.step_retries, 1u);
  ASSERT_EQ(m.steps.count("flaky"), 1u);
  EXPECT_EQ(m.steps["flaky"].succeeded, 1u);
  EXPECT_EQ(m.steps["flaky"].failed, 1u);
  EXPECT_EQ(m.steps["flaky"].latency.count, 2u);
  EXPECT_EQ(m.steps["boom"].failed, 1u);
  ASSERT_EQ(m.breakers.size(), 1u);
  EXPECT_EQ(m.breakers[0].first, "payments");
  EXPECT_EQ(m.breakers[0].second, BreakerState::closed);
  auto count = [&](WorkflowStatus s) {
    for (const auto& [status, n] : m.workflows_by_status)
      if (status == s) return n;
    return uint64_t{0};
  };
  EXPECT_EQ(count(WorkflowStatus::completed), 1u);
  EXPECT_EQ(count(WorkflowStatus::compensated), 1u);
}

TEST(Metrics, LatencyHistogramBucketsByUpperBound) {
  LatencyHistogram h;
  h.observe(0.5);
  h.observe(1);
  h.observe(7);
  h.observe(1e9);
  EXPECT_EQ(h.buckets[0], 2u);  // <= 1 ms
  EXPECT_EQ(h.buckets[3], 1u);  // <= 10 ms
  EXPECT_EQ(h.buckets.back(), 1u);
  EXPECT_EQ(h.count, 4u);
}

TEST(ListWorkflows, FiltersByStatusAndDefinition) {
  TestEngine t;
  t.engine->register_handler("x", [](const StepContext&) { return Json::object(); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("quick").step("x", "x").build()));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("waits").wait_for(WaitSpec("go", "go")).build()));
  t.engine->start("quick", "q1");
  t.engine->start("waits", "w1");
  t.engine->start("waits", "w2");
  ASSERT_EQ(t.run_to_end("q1").status, WorkflowStatus::completed);
  ASSERT_TRUE(t.await_event("w2", "signal_waiting"));

  WorkflowFilter running;
  running.status = WorkflowStatus::running;
  auto waiting = t.engine->list_workflows(running);
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0].id, "w1");
  EXPECT_EQ(waiting[0].definition, "waits");
  WorkflowFilter quick;
  quick.definition = "quick";
  auto done = t.engine->list_workflows(quick);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, WorkflowStatus::completed);
}

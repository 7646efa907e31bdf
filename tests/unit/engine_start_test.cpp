// Starting workflows: the start's write creates the workflow and carries its first transition;
// start_async answers once that write is durable; on_workflow_ended hears every end once.
#include "async_probe.hpp"
#include "counting_store.hpp"
#include "test_engine.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

// What on_workflow_ended was told, by workflow id.
struct Ends {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::vector<WorkflowStatus>> by_id;

  void hook(EngineOptions& options) {
    options.on_workflow_ended = [this](const std::string& id, WorkflowStatus status) {
      std::lock_guard lock(mutex);
      by_id[id].push_back(status);
      changed.notify_all();
    };
  }
  std::vector<WorkflowStatus> await(const std::string& id) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, std::chrono::seconds(10), [&] { return by_id.count(id) != 0; });
    return by_id[id];
  }
};

StartResult start_async_and_wait(Engine& engine, const std::string& definition, const std::string& id, Json input = Json::object()) {
  std::promise<StartResult> answered;
  engine.start_async(definition, id, std::move(input), [&](StartResult result) { answered.set_value(std::move(result)); });
  auto future = answered.get_future();
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return {Status::error("no answer"), false};
  return future.get();
}

}  // namespace

TEST(Start, StartAsyncAnswersOnceTheWorkflowIsStoredWithItsFirstStepDispatched) {
  auto counts = std::make_shared<CountingStore>(make_memory_store());
  EngineOptions options;
  options.store = counts;
  TestEngine t(options);
  AsyncProbe probe;
  t.engine->register_async_handler("a", probe.handler());
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("first", "a").build()));

  auto started = start_async_and_wait(*t.engine, "w", "wf-1", {{"order", 7}});
  ASSERT_TRUE(started.status) << started.status.message();
  EXPECT_TRUE(started.created);
  // One write made it, and it already holds the dispatch: no second write before the step runs.
  EXPECT_EQ(counts->writes(), 1);
  EXPECT_EQ(t.event_types("wf-1"), (std::vector<std::string>{"workflow_started", "step_dispatched"}));
  auto call = probe.await_call(1);
  EXPECT_EQ(call.input["order"], 7);
  EXPECT_EQ(counts->writes(), 1);
  call.complete(StepOutcome::success());
  EXPECT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
  EXPECT_EQ(counts->writes(), 2) << "start + dispatch, then completion + end";
}

TEST(Start, StartingAnExistingWorkflowCreatesNothingAndLeavesItAsItIs) {
  TestEngine t;
  t.engine->register_handler("x", [](const StepContext& ctx) { return ctx.input(); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "x").build()));
  ASSERT_TRUE(t.engine->start("w", "wf-1", {{"n", 1}}).created);
  ASSERT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
  const auto history_before = t.event_types("wf-1");

  auto again = t.engine->start("w", "wf-1", {{"n", 2}});
  EXPECT_TRUE(again.status) << again.status.message();
  EXPECT_FALSE(again.created);
  auto async_again = start_async_and_wait(*t.engine, "w", "wf-1", {{"n", 3}});
  EXPECT_TRUE(async_again.status) << async_again.status.message();
  EXPECT_FALSE(async_again.created);
  ASSERT_TRUE(t.await_no_instances());
  auto info = t.engine->query("wf-1");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->data["n"], 1);
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  EXPECT_EQ(t.event_types("wf-1"), history_before);
}

TEST(Start, StartingAWorkflowThatRunsNowAnswersNotCreated) {
  TestEngine t;
  AsyncProbe probe;
  t.engine->register_async_handler("a", probe.handler());
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "a").build()));
  ASSERT_TRUE(t.engine->start("w", "wf-1").created);
  auto call = probe.await_call(1);
  EXPECT_FALSE(t.engine->start("w", "wf-1").created);
  call.complete(StepOutcome::success());
  EXPECT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
  EXPECT_EQ(probe.calls(), 1u);
}

TEST(Start, StartAsyncReportsWhatIsWrongWithTheRequest) {
  TestEngine t;
  EXPECT_FALSE(start_async_and_wait(*t.engine, "missing", "wf-1").status);
  t.engine->register_handler("x", [](const StepContext&) { return Json::object(); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "x").build()));
  auto bad_input = start_async_and_wait(*t.engine, "w", "wf-1", Json::array());
  EXPECT_FALSE(bad_input.status);
  EXPECT_NE(bad_input.status.message().find("JSON object"), std::string::npos) << bad_input.status.message();
  EXPECT_FALSE(start_async_and_wait(*t.engine, "w", "").status);
}

TEST(Start, OnWorkflowEndedIsToldOnceWithTheFinalStatus) {
  Ends ends;
  EngineOptions options;
  ends.hook(options);
  options.retry_default = quick_retry(0);
  TestEngine t(options);
  t.engine->register_handler("ok", [](const StepContext&) { return Json::object(); });
  t.engine->register_handler("undo", [](const StepContext&) { return Json::object(); });
  t.engine->register_handler("fail", [](const StepContext&) -> Json { throw NonRetryableError("no"); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("good").step("s", "ok").build()));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("bad").step(StepSpec("a", "ok").compensate_with("undo")).step("b", "fail").build()));
  ASSERT_TRUE(t.engine->start("good", "g").created);
  ASSERT_TRUE(t.engine->start("bad", "b").created);
  EXPECT_EQ(t.run_to_end("g").status, WorkflowStatus::completed);
  EXPECT_EQ(t.run_to_end("b").status, WorkflowStatus::compensated);
  EXPECT_EQ(ends.await("g"), (std::vector<WorkflowStatus>{WorkflowStatus::completed}));
  EXPECT_EQ(ends.await("b"), (std::vector<WorkflowStatus>{WorkflowStatus::compensated}));
}

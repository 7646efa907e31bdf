// Starting workflows: the start's write creates the workflow and carries its first transition;
// start_async answers once that write is durable; on_workflow_ended hears every end once.
#include "async_probe.hpp"
#include "counting_store.hpp"
#include "store_wrapper.hpp"
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

  auto again = t.engine->start("w", "wf-1", {{"n", 1}});
  EXPECT_TRUE(again.status) << again.status.message();
  EXPECT_FALSE(again.created);
  auto async_again = start_async_and_wait(*t.engine, "w", "wf-1", {{"n", 1}});
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

namespace {

// The first create of `gated_id` waits in commit until the test releases it, then answers what
// the test says (stale_epoch: the owner was fenced meanwhile, nothing written) or is written.
class GatedCreateStore final : public StoreWrapper {
 public:
  GatedCreateStore(std::shared_ptr<Store> inner, std::string gated_id)
      : StoreWrapper(std::move(inner)), gated_id_(std::move(gated_id)) {}

  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) override {
    for (const auto& write : batch) {
      if (!write.create || write.workflow_id != gated_id_) continue;
      std::unique_lock lock(mutex_);
      if (gated_done_) break;
      blocked_ = true;
      changed_.notify_all();
      changed_.wait(lock, [&] { return release_.has_value(); });
      gated_done_ = true;
      if (*release_ != WriteResult::ok) {
        std::vector<WriteResult> results;
        for (const auto& w : batch) results.push_back(w.workflow_id == gated_id_ ? *release_ : inner()->commit({w})[0]);
        return results;
      }
      break;
    }
    return inner()->commit(batch);
  }

  bool await_blocked() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return blocked_; });
  }
  void release(WriteResult answer) {
    std::lock_guard lock(mutex_);
    release_ = answer;
    changed_.notify_all();
  }

 private:
  const std::string gated_id_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool blocked_ = false;
  bool gated_done_ = false;
  std::optional<WriteResult> release_;
};

struct AnswerSlot {
  std::promise<StartResult> promise;
  std::future<StartResult> future = promise.get_future();
  Engine::StartCallback callback() {
    return [this](StartResult result) { promise.set_value(std::move(result)); };
  }
  StartResult await() {
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return {Status::error("no answer"), false};
    return future.get();
  }
};

struct GatedStart {
  std::shared_ptr<GatedCreateStore> store = std::make_shared<GatedCreateStore>(make_memory_store(), "wf-1");
  std::unique_ptr<TestEngine> t;
  AnswerSlot first, retried;

  // Starts wf-1, whose create blocks in the store, then starts it again (a client's retry after a
  // timeout) and makes sure the supervisor has handled that second start before returning.
  explicit GatedStart(Json retried_input = Json::object()) {
    EngineOptions options;
    options.store = store;
    t = std::make_unique<TestEngine>(options);
    t->engine->register_handler("x", [](const StepContext& ctx) { return ctx.input(); });
    EXPECT_TRUE(t->engine->register_workflow(WorkflowBuilder("w").step("s", "x").build()));
    t->engine->start_async("w", "wf-1", Json::object(), first.callback());
    EXPECT_TRUE(store->await_blocked());
    t->engine->start_async("w", "wf-1", std::move(retried_input), retried.callback());
    t->engine->running_instances();  // a request the supervisor answers after the start sent before it
  }
};

}  // namespace

TEST(StartAcknowledgement, AStartRetriedWhileTheCreateIsNotStoredIsNotAnsweredExistedWhenTheCreateIsFenced) {
  GatedStart gated;
  gated.store->release(WriteResult::stale_epoch);  // a newer owner: nothing was written
  const StartResult first = gated.first.await();
  const StartResult retried = gated.retried.await();
  EXPECT_FALSE(first.status);
  EXPECT_TRUE(first.unavailable) << first.status.message();
  EXPECT_EQ(first.status.code(), StatusCode::unavailable);
  // Before: "it runs here already" answered at once, ok and not created, for a workflow the store
  // never held. Now the retry waits for the first create; that one refused, the retry is handled
  // again from what the store holds (nothing). On a single node a newer epoch means another engine
  // took the store over: this one is fenced, so the retry is refused as unavailable, naming that
  // (in a cluster it is one shard, and the retry goes to its new owner).
  EXPECT_FALSE(retried.created) << "answered 'existed' or created by a fenced engine";
  EXPECT_EQ(retried.status.code(), StatusCode::unavailable) << retried.status.message();
  EXPECT_NE(retried.status.message().find("fenced"), std::string::npos) << retried.status.message();
  EXPECT_NE(gated.t->engine->fenced(), "");
  EXPECT_FALSE(gated.store->load("wf-1")) << "nothing stored";
}

TEST(StartAcknowledgement, AStartRetriedWhileTheCreateIsNotStoredIsAnsweredExistedOnceItIs) {
  GatedStart gated;
  gated.store->release(WriteResult::ok);
  const StartResult first = gated.first.await();
  const StartResult retried = gated.retried.await();
  ASSERT_TRUE(first.status) << first.status.message();
  EXPECT_TRUE(first.created);
  ASSERT_TRUE(retried.status) << retried.status.message();
  EXPECT_FALSE(retried.created);
  EXPECT_EQ(gated.t->run_to_end("wf-1").status, WorkflowStatus::completed);
}

TEST(StartAcknowledgement, AStartOfARunningIdWithAnotherInputIsRefusedAsAClash) {
  GatedStart gated(Json{{"other", true}});
  gated.store->release(WriteResult::ok);
  EXPECT_TRUE(gated.first.await().created);
  const StartResult retried = gated.retried.await();
  EXPECT_FALSE(retried.status);
  EXPECT_EQ(retried.status.code(), StatusCode::already_exists);
  EXPECT_NE(retried.status.message().find("a different input"), std::string::npos) << retried.status.message();
  EXPECT_NE(retried.status.message().find("definition 'w'"), std::string::npos) << retried.status.message();
}

TEST(StartAcknowledgement, AStartOfAStoredIdWithAnotherInputOrDefinitionIsRefusedAsAClash) {
  TestEngine t;
  t.engine->register_handler("x", [](const StepContext& ctx) { return ctx.input(); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "x").build()));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("v").step("s", "x").build()));
  ASSERT_TRUE(t.engine->start("w", "wf-1", {{"n", 1}}).created);
  ASSERT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
  ASSERT_TRUE(t.await_no_instances());

  auto other_input = t.engine->start("w", "wf-1", {{"n", 2}});
  EXPECT_EQ(other_input.status.code(), StatusCode::already_exists) << other_input.status.message();
  EXPECT_NE(other_input.status.message().find("status completed"), std::string::npos) << other_input.status.message();
  auto other_definition = t.engine->start("v", "wf-1", {{"n", 1}});
  EXPECT_EQ(other_definition.status.code(), StatusCode::already_exists) << other_definition.status.message();
  EXPECT_NE(other_definition.status.message().find("another definition"), std::string::npos);
  auto same = t.engine->start("w", "wf-1", {{"n", 1}});
  EXPECT_TRUE(same.status) << same.status.message();
  EXPECT_FALSE(same.created);
}

TEST(StartAcknowledgement, AStartOrSignalToADrainingEngineIsUnavailableNotAnError) {
  TestEngine t;
  t.engine->register_handler("x", [](const StepContext& ctx) { return ctx.input(); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step("s", "x").build()));
  t.engine->drain(Millis(1'000));
  const StartResult started = t.engine->start("w", "wf-1");
  EXPECT_EQ(started.status.code(), StatusCode::unavailable) << started.status.message();
  EXPECT_TRUE(started.unavailable);
  const StartResult async_started = start_async_and_wait(*t.engine, "w", "wf-2");
  EXPECT_EQ(async_started.status.code(), StatusCode::unavailable) << async_started.status.message();
  EXPECT_EQ(t.engine->signal("wf-1", "go", Json::object()).code(), StatusCode::unavailable);
  EXPECT_EQ(t.engine->cancel("wf-1", "ops", "").code(), StatusCode::unavailable);
}

// The engine on durable stores: fencing, quarantine of a corrupt snapshot, a Redis restart.
#include "async_probe.hpp"
#include "eventually.hpp"
#include "redis_server.hpp"
#include "store_writes.hpp"
#include "temp_dir.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/virtual_clock.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <utility>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

EngineOptions options_on(std::shared_ptr<Store> store) {
  EngineOptions options;
  options.store = std::move(store);
  options.clock = std::make_shared<VirtualClock>();
  options.seed = 7;
  return options;
}

WorkflowDefinition two_steps() {
  return WorkflowBuilder("two").step("first", "first").step("second", "second").build();
}

// An engine running "two": its first step waits for the test (first), its second counts its calls.
struct TwoStepEngine {
  explicit TwoStepEngine(std::shared_ptr<Store> store) : engine(options_on(std::move(store))) {
    engine.register_async_handler("first", first.handler());
    engine.register_handler("second", [this](const StepContext&) {
      ++second_calls;
      return Json::object();
    });
    if (!engine.register_workflow(two_steps())) throw std::logic_error("two_steps() does not register");
  }
  Engine engine;
  AsyncProbe first;
  std::atomic<int> second_calls{0};
};

}  // namespace

TEST(Durability, AWriteWithAStaleEpochIsRefusedAndTheInstanceStepsDown) {
  auto store = make_memory_store();
  TwoStepEngine two(store);
  Engine& engine = two.engine;
  AsyncProbe& first = two.first;
  const std::atomic<int>& second_calls = two.second_calls;
  engine.start("two", "wf-1");
  auto call = first.await_call(1);

  // Another owner takes the workflow over with a newer epoch.
  auto taken = store->load("wf-1");
  const uint64_t newer = store->next_epoch();
  WorkflowWrite takeover = save_write("wf-1", newer, taken->snapshot);
  ASSERT_EQ(store->commit({takeover}), std::vector<WriteResult>{WriteResult::ok});

  call.complete(StepOutcome::success());
  // The old owner's commit is refused: the stored snapshot stays the new owner's, and the old
  // owner never goes on to the second step.
  EXPECT_EQ(engine.wait("wf-1", Millis(300))->status, WorkflowStatus::running);
  EXPECT_EQ(store->load("wf-1")->epoch, newer);
  EXPECT_EQ(store->load("wf-1")->snapshot, taken->snapshot);
  EXPECT_EQ(second_calls.load(), 0);
}

// Issue 17 item 6: on one node (no cluster) a newer epoch in the store means another engine took
// it over: this engine is fenced, writes nothing more and says why. A real SQLite file (the other
// engine stands in for a process the file lock would refuse; within one process it is shared).
TEST(Durability, AnEngineWhoseStoreAnotherEngineTookOverIsFencedAndWritesNothing) {
  TempDir dir;
  auto store = make_sqlite_store(dir.file("store.db"));
  TwoStepEngine two(store);
  Engine& engine = two.engine;
  AsyncProbe& first = two.first;
  const std::atomic<int>& second_calls = two.second_calls;
  ASSERT_TRUE(engine.start("two", "wf-1").status);
  ASSERT_TRUE(engine.start("two", "wf-2").status);
  // The two steps are dispatched in either order.
  auto call_1 = first.await_call(1);
  auto call_2 = first.await_call(2);
  if (call_1.workflow_id != "wf-1") std::swap(call_1, call_2);
  ASSERT_EQ(call_1.workflow_id, "wf-1");
  ASSERT_EQ(call_2.workflow_id, "wf-2");
  EXPECT_EQ(engine.fenced(), "");

  auto taken = store->load("wf-1");
  ASSERT_EQ(store->commit({save_write("wf-1", store->next_epoch(), taken->snapshot)}),
            std::vector<WriteResult>{WriteResult::ok});
  call_1.complete(StepOutcome::success());
  ASSERT_TRUE(eventually([&] { return !engine.fenced().empty(); }, std::chrono::seconds(10)));
  EXPECT_NE(engine.fenced().find("'wf-1'"), std::string::npos) << engine.fenced();

  const StartResult refused = engine.start("two", "wf-3");
  EXPECT_EQ(refused.status.code(), StatusCode::unavailable);
  EXPECT_NE(refused.status.message().find("fenced"), std::string::npos) << refused.status.message();
  EXPECT_FALSE(store->load("wf-3"));
  EXPECT_EQ(engine.signal("wf-2", "go", Json::object()).code(), StatusCode::unavailable);

  // wf-2, which nobody took over, is not written either: its instance steps down.
  const auto wf_2_before = store->load("wf-2");
  call_2.complete(StepOutcome::success());
  EXPECT_EQ(engine.wait("wf-2", Millis(300))->status, WorkflowStatus::running);
  EXPECT_EQ(store->load("wf-2")->snapshot, wf_2_before->snapshot);
  EXPECT_EQ(second_calls.load(), 0);
}

TEST(Durability, ACorruptSnapshotIsQuarantinedAndTheOthersRestore) {
  TempDir dir;
  const std::string path = dir.file("store.db");
  {
    Engine first_run(options_on(make_sqlite_store(path)));
    AsyncProbe hang;
    first_run.register_async_handler("first", hang.handler());
    first_run.register_handler("second", [](const StepContext&) { return Json::object(); });
    ASSERT_TRUE(first_run.register_workflow(two_steps()));
    first_run.start("two", "healthy");
    first_run.start("two", "corrupt");
    hang.await_call(2);
  }  // the process "dies" with both workflows live
  auto store = make_sqlite_store(path);
  const std::string garbage = "\x08\xff\xff not a snapshot";
  ASSERT_EQ(store->commit({save_write("corrupt", store->next_epoch(), garbage)}),
            std::vector<WriteResult>{WriteResult::ok});

  EngineOptions second_options = options_on(store);
  auto clock = std::static_pointer_cast<VirtualClock>(second_options.clock);
  Engine second_run(second_options);
  second_run.register_handler("first", [](const StepContext&) { return Json::object(); });
  second_run.register_handler("second", [](const StepContext&) { return Json::object(); });
  ASSERT_TRUE(second_run.register_workflow(two_steps()));
  EXPECT_EQ(second_run.recover(), 2);
  // The step that was running when the process died is a failed attempt: retried after a backoff.
  ASSERT_TRUE(clock->advance_to_timer("healthy/first backoff"));

  EXPECT_EQ(second_run.wait("healthy", Millis(10'000))->status, WorkflowStatus::completed);
  auto corrupt = second_run.wait("corrupt", Millis(10'000));
  EXPECT_EQ(corrupt->status, WorkflowStatus::dead_lettered);
  EXPECT_NE(corrupt->error.find("unreadable snapshot"), std::string::npos) << corrupt->error;
  // Nothing stored is lost: the bytes stay for an operator; the workflow leaves the live index.
  EXPECT_EQ(store->load("corrupt")->snapshot, garbage);
  EXPECT_TRUE(store->live_workflows().empty());
  bool listed = false;
  for (const auto& letter : second_run.dead_letters()) listed |= letter.workflow_id == "corrupt";
  EXPECT_TRUE(listed);
}

TEST(Durability, RedisRestartedMidRunLosesNothing) {
  RedisServer redis(RedisServer::Options{true});
  RedisOptions redis_options;
  redis_options.port = redis.port();
  redis_options.command_timeout_ms = 500;
  auto store = make_redis_store(redis_options);
  Engine engine(options_on(store));
  AsyncProbe first;
  engine.register_async_handler("first", first.handler());
  std::atomic<int> second_calls{0};
  engine.register_handler("second", [&](const StepContext& ctx) {
    ++second_calls;
    return Json{{"key", ctx.idempotency_key()}};
  });
  ASSERT_TRUE(engine.register_workflow(two_steps()));
  constexpr int kWorkflows = 20;
  for (int i = 0; i < kWorkflows; ++i) ASSERT_TRUE(engine.start("two", "wf-" + std::to_string(i)).created);
  std::vector<AsyncProbe::Call> calls;
  for (int i = 1; i <= kWorkflows; ++i) calls.push_back(first.await_call(static_cast<size_t>(i)));

  redis.stop();  // results arrive while Redis is down: the instances must wait, not advance
  for (auto& call : calls) call.complete(StepOutcome::success());
  // Nothing may advance without a durable write: give it a moment to (wrongly) go on.
  for (int waited_ms = 0; waited_ms < 300 && second_calls == 0; waited_ms += 10)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(second_calls.load(), 0);
  EXPECT_THROW(store->load("wf-0"), StoreUnavailable);
  redis.restart();

  for (int i = 0; i < kWorkflows; ++i) {
    const std::string id = "wf-" + std::to_string(i);
    auto info = engine.wait(id, Millis(20'000));
    ASSERT_EQ(info->status, WorkflowStatus::completed) << id;
    EXPECT_EQ(info->data["second"]["key"], id + "/second");
    int completed_steps = 0;
    for (const auto& event : engine.history(id)) completed_steps += event.type == "step_completed";
    EXPECT_EQ(completed_steps, 2) << id;
  }
}

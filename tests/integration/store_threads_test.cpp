// Store calls block (and on Redis go through hiredis), so none may run on a CAF scheduler thread:
// a slow store would stall every actor. The engine runs on one scheduler thread here; a condition
// (evaluated inside the instance actor) learns which one, and a store wrapper records the thread
// of every call.
#include "test_engine.hpp"

#include <actorflow/store.hpp>

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

class ThreadRecordingStore final : public Store {
 public:
  explicit ThreadRecordingStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  std::set<std::thread::id> threads() const {
    std::lock_guard lock(mutex_);
    return threads_;
  }

  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) override { return seen(), inner_->commit(batch); }
  uint64_t next_epoch() override { return seen(), inner_->next_epoch(); }
  std::optional<StoredSnapshot> load(const std::string& id) const override { return seen(), inner_->load(id); }
  std::vector<std::string> live_workflows() const override { return seen(), inner_->live_workflows(); }
  std::vector<std::string> history(const std::string& id) const override { return seen(), inner_->history(id); }
  std::vector<DeadLetter> dead_letters() const override { return seen(), inner_->dead_letters(); }
  std::vector<WorkflowSummary> list_workflows(const WorkflowFilter& f) const override { return seen(), inner_->list_workflows(f); }
  std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status() const override { return seen(), inner_->count_by_status(); }
  std::optional<std::string> ledger_get(const std::string& key) const override { return seen(), inner_->ledger_get(key); }
  bool ledger_put(const std::string& key, const std::string& value) override { return seen(), inner_->ledger_put(key, value); }
  std::vector<std::pair<std::string, std::string>> ledger_scan(const std::string& prefix) const override {
    return seen(), inner_->ledger_scan(prefix);
  }
  uint64_t inbox_append(const std::string& id, const std::string& name, const std::string& payload, int64_t at_ms) override {
    return seen(), inner_->inbox_append(id, name, payload, at_ms);
  }
  std::vector<InboxSignal> inbox_after(const std::string& id, uint64_t after) const override {
    return seen(), inner_->inbox_after(id, after);
  }
  std::vector<WakeUp> wake_ups_until(int64_t until_ms, size_t limit) const override {
    return seen(), inner_->wake_ups_until(until_ms, limit);
  }
  void schedule_put(const std::string& id, const std::string& encoded) override { seen(), inner_->schedule_put(id, encoded); }
  bool schedule_erase(const std::string& id) override { return seen(), inner_->schedule_erase(id); }
  std::vector<std::pair<std::string, std::string>> schedules() const override { return seen(), inner_->schedules(); }

 private:
  void seen() const {
    std::lock_guard lock(mutex_);
    threads_.insert(std::this_thread::get_id());
  }
  std::shared_ptr<Store> inner_;
  mutable std::mutex mutex_;
  mutable std::set<std::thread::id> threads_;
};

TEST(StoreThreads, NoStoreCallRunsOnASchedulerThread) {
  auto store = std::make_shared<ThreadRecordingStore>(make_memory_store());
  EngineOptions options;
  options.store = store;
  options.scheduler_threads = 1;
  options.instance_restarts_max = 1;
  TestEngine t(options);

  std::mutex scheduler_mutex;
  std::set<std::thread::id> scheduler_threads;
  auto on_scheduler = [&](const Json&) {
    std::lock_guard lock(scheduler_mutex);
    scheduler_threads.insert(std::this_thread::get_id());
    return true;
  };
  t.engine->register_handler("double", [](const StepContext& ctx) { return Json{{"n", ctx.input().at("n").get<int>() * 2}}; });
  t.engine->register_async_handler("remember", [](const StepContext& ctx, CompleteFn complete) {
    complete(StepOutcome::success(ctx.once([] { return Json{{"remembered", true}}; })));
  });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("doubler").step(StepSpec("d", "double")).build()));
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("parent")
          .choice("check", {when("on the scheduler", on_scheduler, Sequence().step("remember", "remember"))})
          .child(StepSpec("sub", "doubler").input({{"n", "/n"}}))
          .build()));
  std::atomic<bool> crash{true};
  t.engine->register_handler("crashy", [](const StepContext&) { return Json::object(); });
  ASSERT_TRUE(t.engine->register_workflow(
      WorkflowBuilder("crash-loop")
          .choice("boom", {when("throws", [&](const Json&) -> bool { if (crash) throw std::logic_error("bug"); return true; },
                                Sequence().step("s", "crashy"))})
          .build()));

  t.engine->start("parent", "p-1", {{"n", 21}});
  t.engine->start("crash-loop", "c-1");
  EXPECT_EQ(t.run_to_end("p-1").data["sub"]["d"]["n"], 42);
  EXPECT_EQ(t.run_to_end("c-1").status, WorkflowStatus::dead_lettered);

  std::lock_guard lock(scheduler_mutex);
  ASSERT_EQ(scheduler_threads.size(), 1u);
  EXPECT_EQ(store->threads().count(*scheduler_threads.begin()), 0u) << "a store call ran on the scheduler thread";
  EXPECT_GE(store->threads().size(), 2u) << "the recording saw no calls from the store actors";
}

}  // namespace

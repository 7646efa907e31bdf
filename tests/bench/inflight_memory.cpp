#include "inflight_memory.hpp"

#include "process_stats.hpp"

#include <actorflow/actorflow.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace bench {

using namespace actorflow;

namespace {

// Keeps the completions of the steps it is given until released.
class HeldSteps {
 public:
  void hold(CompleteFn complete) {
    std::lock_guard lock(mutex_);
    held_.push_back(std::move(complete));
    changed_.notify_all();
  }
  bool await_held(size_t count, std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return held_.size() >= count; });
  }
  void release_all() {
    std::vector<CompleteFn> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& complete : held) complete(StepOutcome::success());
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<CompleteFn> held_;
};

}  // namespace

InFlightMemory measure_in_flight_memory(std::shared_ptr<Store> store, int64_t workflows) {
  HeldSteps held;
  std::atomic<int64_t> completed{0};
  EngineOptions options;
  options.store = std::move(store);
  options.on_workflow_ended = [&](const std::string&, WorkflowStatus status) {
    if (status == WorkflowStatus::completed) ++completed;
  };
  Engine engine(options);
  engine.register_async_handler("hold", [&](const StepContext&, CompleteFn complete) { held.hold(std::move(complete)); });
  engine.register_handler("done", [](const StepContext&) { return Json::object(); });
  auto status = engine.register_workflow(
      WorkflowBuilder("held").step("reserve", "hold").step("charge", "done").step("ship", "done").build());
  if (!status) throw std::runtime_error(status.message());

  const int64_t before = resident_bytes(getpid());
  for (int64_t i = 0; i < workflows; ++i)
    engine.start_async("held", "held-" + std::to_string(i), Json{{"order", i}}, [](StartResult) {});
  InFlightMemory result;
  result.workflows = workflows;
  if (held.await_held(static_cast<size_t>(workflows), std::chrono::seconds(120))) {
    result.bytes_per_workflow = static_cast<double>(resident_bytes(getpid()) - before) / static_cast<double>(workflows);
  }
  held.release_all();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (completed.load() < workflows && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  result.completed = completed.load();
  return result;
}

}  // namespace bench

#include "test_engine.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace actorflow::testing {

RetryPolicy quick_retry(int retries_max) {
  RetryPolicy policy;
  policy.retries_max = retries_max;
  policy.interval_initial = Millis(100);
  policy.multiplier = 2.0;
  policy.interval_max = Millis(10'000);
  policy.jitter = 0.0;
  return policy;
}

TestEngine::TestEngine(EngineOptions options) : clock(std::make_shared<VirtualClock>()) {
  options.clock = clock;
  if (options.seed == 0) options.seed = 42;
  engine = std::make_unique<Engine>(std::move(options));
}

WorkflowInfo TestEngine::run_to_end(const std::string& workflow_id, int timers_max) {
  // A workflow stuck with no timer to fire would loop forever: bound the real time too.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int fired = 0; fired <= timers_max && std::chrono::steady_clock::now() < deadline;) {
    auto info = engine->wait(workflow_id, Millis(20));
    if (!info) {
      ADD_FAILURE() << "no workflow '" << workflow_id << "'";
      return {};
    }
    if (is_terminal(info->status)) return *info;
    // Not done: either a step is running on a worker, or the workflow waits for a timer.
    for (const auto& timer : clock->pending()) {
      if (timer.label.find("backoff") != std::string::npos || timer.label.find("breaker-wait") != std::string::npos) {
        clock->advance(Millis(std::max<int64_t>(0, timer.due_ms - clock->now_ms())));
        ++fired;
        break;
      }
    }
  }
  auto info = engine->query(workflow_id);
  ADD_FAILURE() << "workflow '" << workflow_id << "' not terminal after " << timers_max << " timers or 60 s";
  return info ? *info : WorkflowInfo{};
}

std::vector<std::string> TestEngine::steps_of(const std::string& workflow_id, const std::string& type) const {
  std::vector<std::string> steps;
  for (const auto& event : engine->history(workflow_id))
    if (event.type == type) steps.push_back(event.step);
  return steps;
}

bool TestEngine::await_event(const std::string& workflow_id, const std::string& type,
                             std::chrono::milliseconds real_wait) const {
  const auto deadline = std::chrono::steady_clock::now() + real_wait;
  do {
    for (const auto& event : engine->history(workflow_id))
      if (event.type == type) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

bool TestEngine::await_no_instances(std::chrono::milliseconds real_wait) const {
  const auto deadline = std::chrono::steady_clock::now() + real_wait;
  while (engine->running_instances() != 0)
    if (std::chrono::steady_clock::now() > deadline) return false;
  return true;
}

std::vector<std::string> TestEngine::event_types(const std::string& workflow_id) const {
  std::vector<std::string> types;
  for (const auto& event : engine->history(workflow_id)) types.push_back(event.type);
  return types;
}

}  // namespace actorflow::testing

#pragma once
// An async step handler the test completes by hand: it records each call and lets the test wait
// for the n-th call, then complete it.
#include <actorflow/step_handler.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace actorflow::testing {

class AsyncProbe {
 public:
  struct Call {
    std::string workflow_id;
    std::string step_path;
    std::string idempotency_key;
    int attempt = 0;
    Json input;
    CompleteFn complete;
  };

  AsyncHandler handler() {
    return [this](const StepContext& ctx, CompleteFn complete) {
      std::lock_guard lock(mutex_);
      calls_.push_back({ctx.workflow_id(), ctx.step_path(), ctx.idempotency_key(), ctx.attempt(), ctx.input(),
                        std::move(complete)});
      changed_.notify_all();
    };
  }

  // Waits (real time, bounded) until at least `n` calls arrived; returns call n (1-based).
  Call await_call(size_t n, std::chrono::milliseconds real_wait = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, real_wait, [&] { return calls_.size() >= n; }))
      throw std::runtime_error("async probe: call " + std::to_string(n) + " never came");
    return calls_[n - 1];
  }

  size_t calls() const {
    std::lock_guard lock(mutex_);
    return calls_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Call> calls_;
};

}  // namespace actorflow::testing

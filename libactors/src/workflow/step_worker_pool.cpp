#include "workflow/step_worker_pool.hpp"

#include <caf/all.hpp>

#include <optional>

namespace actorflow {
namespace {

// Runs the sync handler, or starts the async one: an async handler's outcome comes later through
// job.complete, unless it throws while starting.
std::optional<StepOutcome> run_handler(const StepJob& job, const ActivityGauge::Token& running) {
  try {
    if (job.async_handler) {
      // The async handler is running until it calls back (or drops the callback).
      CompleteFn complete = [inner = job.complete, running](StepOutcome outcome) { inner(std::move(outcome)); };
      (*job.async_handler)(*job.context, std::move(complete));
      return std::nullopt;
    }
    return StepOutcome::success((*job.handler)(*job.context));
  } catch (...) {
    return outcome_of_current_exception();
  }
}

}  // namespace

StepOutcome outcome_of_current_exception() {
  try {
    throw;
  } catch (const NonRetryableError& e) {
    return StepOutcome::failure(e.what(), false);
  } catch (const std::exception& e) {
    return StepOutcome::failure(e.what(), true);
  } catch (...) {
    return StepOutcome::failure("handler threw a non-standard exception", true);
  }
}

StepWorkerPool::StepWorkerPool(int workers, int queue_max, std::shared_ptr<ActivityGauge> running)
    : queue_max_(queue_max), running_(std::move(running)) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

StepWorkerPool::~StepWorkerPool() {
  stop();
  for (auto& thread : threads_) thread.join();
}

bool StepWorkerPool::submit(StepJob&& job) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (static_cast<int>(queue_.size()) >= queue_max_) return false;
    queue_.push_back(std::move(job));
    // Jobs not yet claimed by a worker on its way: wake one more only when they outnumber those.
    if (!draining_ && sleeping_ > waking_ && static_cast<int>(queue_.size()) > waking_) {
      ++waking_;
      wake = true;
    }
  }
  if (wake) job_waiting_.notify_one();
  return true;
}

void StepWorkerPool::drain() {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }
  queue_emptied_.notify_all();
}

void StepWorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  job_waiting_.notify_all();
  queue_emptied_.notify_all();
}

bool StepWorkerPool::wait_handed_over(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  return queue_emptied_.wait_until(lock, until, [&] { return queue_.empty() || draining_ || stopping_; });
}

void StepWorkerPool::work() {
  while (true) {
    StepJob job;
    ActivityGauge::Token running;
    {
      std::unique_lock lock(mutex_);
      while (!stopping_ && (queue_.empty() || draining_)) {
        ++sleeping_;
        job_waiting_.wait(lock);
        --sleeping_;
        if (waking_ > 0) --waking_;
      }
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      // Entered before the queue can be seen empty: a barrier that waits for the hand-over then
      // finds the job running.
      running = running_->enter();
      if (queue_.empty()) queue_emptied_.notify_all();
    }
    // Left after the result is sent: a drain that sees no step running finds every result
    // already in its instance's mailbox. A job with a completion (async handlers, steps run for
    // another node) reports through it.
    if (auto outcome = run_handler(job, running); outcome && job.complete) {
      job.complete(std::move(*outcome));
    } else if (outcome) {
      caf::anon_send(job.reply_to, step_done_atom::value, job.path, job.token, std::move(*outcome));
    }
  }
}

}  // namespace actorflow

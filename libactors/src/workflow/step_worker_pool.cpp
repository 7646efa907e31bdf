#include "workflow/step_worker_pool.hpp"

#include <caf/all.hpp>

#include <functional>
#include <optional>

namespace actorflow {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Runs the sync handler, or starts the async one: an async handler's outcome comes later through
// job.complete, unless it throws while starting. `ended` runs when the handler is done (an async
// one: when it calls back).
std::optional<StepOutcome> run_handler(const StepJob& job, const ActivityGauge::Token& running,
                                       std::function<void()> ended) {
  try {
    if (job.async_handler) {
      // The async handler is running until it calls back (or drops the callback).
      CompleteFn complete = [inner = job.complete, running, ended](StepOutcome outcome) {
        if (ended) ended();
        inner(std::move(outcome));
      };
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
    if (static_cast<int>(queue_.size() + suspects_.size()) >= queue_max_) return false;
    if (job.suspect) suspects_.push_back(std::move(job));
    else queue_.push_back(std::move(job));
    // Jobs not yet claimed by a worker on its way: wake one more only when they outnumber those.
    if (!draining_ && sleeping_ > waking_ && static_cast<int>(queue_.size() + suspects_.size()) > waking_) {
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
    suspects_.clear();
  }
  job_waiting_.notify_all();
  queue_emptied_.notify_all();
}

bool StepWorkerPool::wait_handed_over(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  // A suspect waiting for the one running is not on its way to a worker yet: the running one counts.
  return queue_emptied_.wait_until(lock, until, [&] {
    return (queue_.empty() && (suspects_.empty() || suspect_running_ != 0)) || draining_ || stopping_;
  });
}

bool StepWorkerPool::job_takeable(SteadyClock::time_point& until) const {
  until = {};
  if (!queue_.empty()) return true;
  if (suspects_.empty()) return false;
  if (suspect_running_ == 0 || SteadyClock::now() >= suspect_hold_until_) return true;
  until = suspect_hold_until_;
  return false;
}

StepJob StepWorkerPool::take_job() {
  // Suspects first when one may run: they were dispatched before the process died.
  const bool suspect_may_run = !suspects_.empty() && (suspect_running_ == 0 || SteadyClock::now() >= suspect_hold_until_);
  std::deque<StepJob>& from = suspect_may_run ? suspects_ : queue_;
  StepJob job = std::move(from.front());
  from.pop_front();
  if (job.suspect) {
    suspect_running_ = ++suspect_tokens_;
    suspect_hold_until_ = SteadyClock::now() + job.suspect_hold;
  }
  return job;
}

void StepWorkerPool::suspect_ended(uint64_t token) {
  {
    std::lock_guard lock(mutex_);
    if (suspect_running_ != token) return;  // its hold passed and the next one runs
    suspect_running_ = 0;
    if (suspects_.empty()) return;
  }
  job_waiting_.notify_all();
  queue_emptied_.notify_all();
}

void StepWorkerPool::work() {
  while (true) {
    StepJob job;
    ActivityGauge::Token running;
    uint64_t suspect_token = 0;
    {
      std::unique_lock lock(mutex_);
      SteadyClock::time_point until;
      while (!stopping_ && (draining_ || !job_takeable(until))) {
        ++sleeping_;
        if (!draining_ && until != SteadyClock::time_point{}) job_waiting_.wait_until(lock, until);
        else job_waiting_.wait(lock);
        --sleeping_;
        if (waking_ > 0) --waking_;
      }
      if (stopping_) return;
      job = take_job();
      if (job.suspect) suspect_token = suspect_running_;
      // Entered before the queue can be seen empty: a barrier that waits for the hand-over then
      // finds the job running.
      running = running_->enter();
      if (queue_.empty()) queue_emptied_.notify_all();
    }
    std::function<void()> ended;
    if (suspect_token != 0) {
      ended = [weak = weak_from_this(), suspect_token] {
        if (auto pool = weak.lock()) pool->suspect_ended(suspect_token);
      };
      if (job.announce && !job.announce()) {  // its workflow is gone or has moved on
        ended();
        continue;
      }
    }
    // Left after the result is sent: a drain that sees no step running finds every result
    // already in its instance's mailbox. A job with a completion (async handlers, steps run for
    // another node) reports through it.
    auto outcome = run_handler(job, running, ended);
    if (outcome && ended) ended();  // a sync handler (or an async one that threw) is done
    if (outcome && job.complete) {
      job.complete(std::move(*outcome));
    } else if (outcome) {
      caf::anon_send(job.reply_to, step_done_atom::value, job.path, job.token, std::move(*outcome));
    }
  }
}

}  // namespace actorflow

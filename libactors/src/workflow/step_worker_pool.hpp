#pragma once
// Step workers: threads that run sync handlers (and start async ones), so a blocking handler
// never blocks CAF's scheduler. They take jobs from one shared queue, so a slow handler holds
// only its own thread. A worker that finds the queue empty sleeps; one is woken only when a job
// arrives and no awake worker is about to take it: under load they run job after job without a
// context switch each. At most `queue_max` jobs wait; beyond that a job fails at once
// (retryably) with a message naming the limit.
#include "workflow/activity_gauge.hpp"
#include "workflow/messages.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace actorflow {

class StepWorkerPool {
 public:
  // Every handler running is held in `running` (an async one until it completes).
  StepWorkerPool(int workers, int queue_max, std::shared_ptr<ActivityGauge> running);
  ~StepWorkerPool();  // stop(), then waits for the workers (a handler that hangs holds this up)
  StepWorkerPool(const StepWorkerPool&) = delete;
  StepWorkerPool& operator=(const StepWorkerPool&) = delete;

  // Queues the job (moved from); false, and `job` left as it was, when queue_max jobs wait already.
  bool submit(StepJob&& job);
  // From now on no queued job is started: they stay recorded as dispatched, for the next process.
  void drain();
  // Waits until no job is queued (each was taken by a worker), or the pool drains or stops, or
  // `until` passes (false). A barrier for Engine::await_quiet: a job taken is counted as running.
  bool wait_handed_over(std::chrono::steady_clock::time_point until);
  // Workers finish the job they run and end; queued jobs are dropped.
  void stop();
  int queue_max() const { return queue_max_; }

 private:
  void work();

  const int queue_max_;
  std::shared_ptr<ActivityGauge> running_;
  std::mutex mutex_;
  std::condition_variable job_waiting_;
  std::condition_variable queue_emptied_;
  std::deque<StepJob> queue_;
  int sleeping_ = 0;  // workers waiting for a job
  int waking_ = 0;    // of those, notified and not yet awake
  bool draining_ = false;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: they start once the rest exists
};

// What a handler's exception means for its step: NonRetryableError fails it without retries,
// anything else retryably. Call it inside a catch block.
StepOutcome outcome_of_current_exception();

}  // namespace actorflow

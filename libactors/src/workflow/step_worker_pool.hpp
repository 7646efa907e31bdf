#pragma once
// Step workers: threads that run sync handlers (and start async ones), so a blocking handler
// never blocks CAF's scheduler. They take jobs from one shared queue, so a slow handler holds
// only its own thread. A worker that finds the queue empty sleeps; one is woken only when a job
// arrives and no awake worker is about to take it: under load they run job after job without a
// context switch each. At most `queue_max` jobs wait; beyond that a job fails at once
// (retryably) with a message naming the limit. Suspect jobs (StepJob::suspect: their step was in
// flight when a process died) wait in a queue of their own and run one at a time.
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

class StepWorkerPool : public std::enable_shared_from_this<StepWorkerPool> {
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
  // True when a worker may take a job now (under mutex_); `until` is set when a suspect waits
  // only for the running one's hold to pass.
  bool job_takeable(std::chrono::steady_clock::time_point& until) const;
  StepJob take_job();  // under mutex_, job_takeable
  // The suspect job `token` ended (its handler returned or called back): the next may run.
  void suspect_ended(uint64_t token);

  const int queue_max_;
  std::shared_ptr<ActivityGauge> running_;
  std::mutex mutex_;
  std::condition_variable job_waiting_;
  std::condition_variable queue_emptied_;
  std::deque<StepJob> queue_;
  std::deque<StepJob> suspects_;
  uint64_t suspect_running_ = 0;  // the token of the suspect job running (0: none)
  uint64_t suspect_tokens_ = 0;
  std::chrono::steady_clock::time_point suspect_hold_until_;
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

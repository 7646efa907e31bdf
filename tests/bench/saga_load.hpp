#pragma once
// The order-saga shape under load: three sequential steps (reserve, charge, ship, each with a
// compensation) whose handlers do nothing. Workflows are started with Engine::start_async and
// timed from the start call to their durable end (EngineOptions::on_workflow_ended).
// One SagaLoad drives one engine from one thread (the caller's).
#include "counting_store.hpp"
#include "latency.hpp"

#include <actorflow/actorflow.hpp>

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace bench {

struct Throughput {
  int64_t completed = 0;       // workflows ended while measuring
  double seconds = 0;
  double per_second = 0;
  double writes_per_workflow = 0;
  double writes_per_commit = 0;  // how many writes one group commit carried
  double process_cores = 0;      // CPU this process used (engine and driver), in cores
  double server_cores = -1;      // CPU the store's server used, in cores (-1: none)
  double context_switches_per_workflow = 0;  // of this process' threads
};

struct LatencyRun {
  double rate_per_second = 0;  // achieved
  LatencySummary latency;      // start call to durable end
  int64_t unfinished = 0;      // started in the run and not ended when it was summarised
};

class SagaLoad {
 public:
  // At most `workflows_max` workflows over the load's life (their times are kept).
  explicit SagaLoad(int64_t workflows_max);
  SagaLoad(const SagaLoad&) = delete;
  SagaLoad& operator=(const SagaLoad&) = delete;

  // Before the engine is made: hooks the load to workflow ends.
  void attach(actorflow::EngineOptions& options);
  // After: registers the handlers and the "saga" definition.
  actorflow::Status install(actorflow::Engine& engine);

  // Keeps `window` workflows in flight: for `warm_up` unmeasured, then for `duration` measured.
  // `server` (-1: none) is the store's server process, whose CPU is measured too.
  Throughput saturate(actorflow::Engine& engine, const actorflow::testing::CountingStore& counts, int64_t window,
                      std::chrono::milliseconds warm_up, std::chrono::milliseconds duration, pid_t server = -1);
  // Starts `per_second` workflows a second, spread evenly (every millisecond those due), for
  // `duration`, then waits (bounded) for them to end.
  LatencyRun at_rate(actorflow::Engine& engine, double per_second, std::chrono::milliseconds duration);
  // Starts one, waits for its end, starts the next: for `duration` or `count_max` workflows.
  LatencyRun one_at_a_time(actorflow::Engine& engine, std::chrono::milliseconds duration, int64_t count_max);

  // Runs `count` workflows, `window` in flight, to their end; returns how many ended.
  int64_t run_count(actorflow::Engine& engine, int64_t count, int64_t window);

  // Waits until every workflow started has ended; false when `limit` passes first.
  bool settle(std::chrono::milliseconds limit);
  // Starts refused or answered "exists", and workflows that ended other than completed.
  int64_t problems() const { return refused_.load() + not_completed_.load(); }

 private:
  int64_t start_next(actorflow::Engine& engine);
  void ended(const std::string& workflow_id, actorflow::WorkflowStatus status);
  // Waits until `count` workflows have ended in all, or `deadline`.
  void await_ended(int64_t count, std::chrono::steady_clock::time_point deadline);
  LatencyRun summarise_range(int64_t first, int64_t last, double seconds);

  struct FreeDeleter {
    void operator()(int64_t* p) const;
  };
  const int64_t capacity_;
  // Nanoseconds on the steady clock, by workflow number; 0: not yet. Zeroed pages from calloc,
  // touched only as used. Accessed through std::atomic_ref.
  std::unique_ptr<int64_t[], FreeDeleter> start_ns_, end_ns_;
  int64_t next_ = 0;  // the number of the next workflow to start (driver thread only)
  std::atomic<int64_t> ended_{0};
  std::atomic<int64_t> refused_{0};
  std::atomic<int64_t> not_completed_{0};
  std::atomic<int64_t> wake_at_ended_{INT64_MAX};
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace bench

#pragma once
// What an engine counts about itself, for /metrics (Prometheus) and dashboards. Counters start at
// zero with the engine; workflows by status come from the store, so they cover every process.
#include <actorflow/export.hpp>
#include <actorflow/chaos.hpp>
#include <actorflow/circuit_breaker.hpp>
#include <actorflow/workflow_status.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ACTORFLOW_API actorflow {

// Step durations, from dispatch to result, in fixed buckets (milliseconds, upper bounds).
struct LatencyHistogram {
  static constexpr std::array<double, 14> kBoundsMs = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1'000, 2'500, 5'000,
                                                       10'000, 30'000};
  std::array<uint64_t, kBoundsMs.size() + 1> buckets{};  // per bucket (not cumulative); the last: above every bound
  uint64_t count = 0;
  double sum_ms = 0;

  void observe(double ms);
};

// Per handler name (a compensation counts under its own handler).
struct StepMetrics {
  LatencyHistogram latency;  // every finished attempt, success or failure
  uint64_t succeeded = 0;
  uint64_t failed = 0;       // failed attempts (each retry's failure counts)
  uint64_t timed_out = 0;
};

// A workflow resumed after its process died while one of its steps (or compensations) ran.
struct CrashRecovery {
  std::string workflow_id;
  std::string step;           // the step's path
  bool compensation = false;  // its compensation was what ran
  int crashes = 0;            // process deaths in a row while it ran, this one included
  int crashes_max = 0;        // EngineOptions::crash_attempts_max: at this count it is not run again
  int64_t at_ms = 0;
  // "recovered after a crash while step X of workflow Y ran (n of max)"
  std::string text() const;
};
inline constexpr size_t kCrashRecoveriesKept = 16;

struct EngineMetrics {
  std::vector<std::pair<WorkflowStatus, uint64_t>> workflows_by_status;  // from the store
  std::map<std::string, StepMetrics> steps;                              // by handler
  uint64_t workflows_started = 0;   // by this engine (not counting starts that found the id taken)
  uint64_t step_retries = 0;        // attempts scheduled again after a failure (steps and compensations)
  uint64_t instance_restarts = 0;   // instance actors respawned after a crash
  uint64_t dead_letter_retries = 0; // Engine::retry_dead_letter calls that reopened a workflow
  // Steps and compensations found in flight when their workflow was resumed after its process
  // died (each counted as a failed attempt; see EngineOptions::crash_attempts_max)
  uint64_t crash_suspected_steps = 0;
  size_t running_instances = 0;     // instance actors alive now
  ChaosCounts chaos_injected;       // faults injected by chaos policies, by kind
  std::vector<std::pair<std::string, BreakerState>> breakers;  // by service
};

}  // namespace actorflow

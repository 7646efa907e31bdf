#pragma once
// The engine's chaos: the config in force (replaceable while running), the counts of faults that
// took effect, and the wrapping of a step job so that its fault happens as the job runs.
#include <actorflow/chaos.hpp>
#include <actorflow/actorflow.hpp>

#include "workflow/messages.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

namespace actorflow {

class ChaosInjector {
 public:
  // Replaces the config; refused (nothing changes) with every problem when it is not usable.
  Status configure(ChaosConfig config);
  ChaosConfig config() const;

  // The fault for this attempt, if any (nothing at all when chaos is off). Thread-safe.
  std::optional<ChaosFault> decide(const ChaosSite& site) const;

  void count(ChaosKind kind) { counts_[static_cast<size_t>(kind)].fetch_add(1, std::memory_order_relaxed); }
  ChaosCounts counts() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ChaosConfig> config_ = std::make_shared<const ChaosConfig>();
  std::atomic<bool> enabled_{false};
  std::array<std::atomic<uint64_t>, kChaosKinds.size()> counts_{};
};

// Makes `job` suffer `fault` (kinds fail, delay, hang, drop_reply, crash_process; a crash is the instance's
// business): its handler is replaced by one that calls the real one (or not) and answers (or
// not) as the fault says, on the step worker, when the job runs.
void arm_chaos_job(Engine::Core& core, StepJob& job, const ChaosFault& fault);

}  // namespace actorflow

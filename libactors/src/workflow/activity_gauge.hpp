#pragma once
// Counts work in progress (step handlers running, commits awaiting acknowledgement) so that a
// drain can wait until there is none. Entering and leaving are one atomic add; the lock is taken
// only while someone waits.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace actorflow {

// Made with std::make_shared: a token keeps its gauge alive.
class ActivityGauge : public std::enable_shared_from_this<ActivityGauge> {
 public:
  // Held while the work is in progress: leaves the gauge when the last copy goes, whichever way
  // (the work finished, or the actor holding it died).
  using Token = std::shared_ptr<void>;
  Token enter();

  int64_t value() const { return count_.load(std::memory_order_acquire); }
  // How often it was entered, ever: unchanged over a span means no work began in it.
  uint64_t entries() const { return entries_.load(std::memory_order_acquire); }
  // True once the count is zero; false when `deadline` passes first.
  bool wait_idle(std::chrono::steady_clock::time_point deadline);

 private:
  void leave();

  std::atomic<int64_t> count_{0};
  std::atomic<uint64_t> entries_{0};
  std::atomic<int> waiters_{0};
  std::mutex mutex_;
  std::condition_variable idle_;
};

}  // namespace actorflow

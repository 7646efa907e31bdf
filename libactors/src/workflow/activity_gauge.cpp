#include "workflow/activity_gauge.hpp"

namespace actorflow {

ActivityGauge::Token ActivityGauge::enter() {
  count_.fetch_add(1, std::memory_order_acq_rel);
  entries_.fetch_add(1, std::memory_order_acq_rel);
  return Token(this, [self = shared_from_this()](void*) { self->leave(); });
}

void ActivityGauge::leave() {
  if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1 && waiters_.load(std::memory_order_acquire) > 0) {
    std::lock_guard lock(mutex_);
    idle_.notify_all();
  }
}

bool ActivityGauge::wait_idle(std::chrono::steady_clock::time_point deadline) {
  waiters_.fetch_add(1, std::memory_order_acq_rel);
  std::unique_lock lock(mutex_);
  const bool idle = idle_.wait_until(lock, deadline, [this] { return value() == 0; });
  waiters_.fetch_sub(1, std::memory_order_acq_rel);
  return idle;
}

}  // namespace actorflow
